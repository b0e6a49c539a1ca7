package io.cmis.platform.logging;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** Finds any piece of a secret in written text: whole, URL-encoded, JSON-escaped, or any 10 characters of it. */
final class Leaks {
    private static final int WINDOW = 10;

    private Leaks() {
    }

    static List<String> in(String text, List<PlatformSecrets.Secret> secrets) {
        List<String> found = new ArrayList<>();
        for (PlatformSecrets.Secret secret : secrets) {
            for (String piece : pieces(secret)) {
                int at = text.indexOf(piece);
                if (at >= 0) {
                    found.add(secret.what() + " leaked as '" + piece + "' in: "
                            + text.substring(Math.max(0, at - 80), Math.min(text.length(), at + piece.length() + 40)));
                    break;
                }
            }
        }
        return found;
    }

    private static Set<String> pieces(PlatformSecrets.Secret secret) {
        Set<String> pieces = new LinkedHashSet<>();
        String hidden = secret.hidden();
        for (String form : List.of(hidden, URLEncoder.encode(hidden, StandardCharsets.UTF_8), json(hidden))) {
            pieces.add(form);
            for (int i = 0; i + WINDOW <= form.length(); i++) {
                pieces.add(form.substring(i, i + WINDOW));
            }
        }
        return pieces;
    }

    /** As a JSON encoder writes a string: quotes, backslashes and slashes escaped. */
    static String json(String text) {
        return text.replace("\\", "\\\\").replace("\"", "\\\"").replace("/", "\\/");
    }
}
