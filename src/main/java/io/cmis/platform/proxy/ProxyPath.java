package io.cmis.platform.proxy;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * A proxied path and query as the application sent them (still percent-encoded), checked so that the
 * call can only go to the API's base from the configuration: anything that could climb out of the
 * base, change the host or mean something else once decoded by a server on the way is refused, not
 * repaired. {@link #label} is its name in the call log: ids replaced, so it stays low-cardinality.
 */
public record ProxyPath(String path, String query) {
    /** A segment that names an object, not a resource kind: it has a digit (and is not a version), or is long. */
    private static final Pattern VERSION = Pattern.compile("v\\d+(\\.\\d+)?");
    private static final int LABEL_SEGMENTS = 8;

    /**
     * {@code path} is what follows {@code /proxy/{integration}/{api}/} (no leading slash); {@code query}
     * the raw query string or null. Throws {@link ProxyRefusedException} ({@code path_not_allowed}).
     */
    public static ProxyPath check(String path, String query) {
        if (path == null || path.isEmpty()) {
            throw ProxyRefusedException.pathNotAllowed("it is empty; name a path below the API's base");
        }
        String lower = path.toLowerCase(Locale.ROOT);
        if (lower.startsWith("http:") || lower.startsWith("https:") || lower.contains("://")) {
            throw ProxyRefusedException.pathNotAllowed("an absolute URL; the host comes from the configuration only");
        }
        for (int i = 0; i < path.length(); i++) {
            char c = path.charAt(i);
            if (c <= 0x20 || c >= 0x7f) {
                throw ProxyRefusedException.pathNotAllowed("a control, space or non-ASCII character (percent-encode it)");
            }
            if (c == '\\' || c == '@' || c == ';' || c == '?' || c == '#') {
                throw ProxyRefusedException.pathNotAllowed("the character '" + c + "'");
            }
            if (c == '%') {
                int decoded = i + 2 < path.length() ? hex(path.charAt(i + 1), path.charAt(i + 2)) : -1;
                if (decoded < 0) {
                    throw ProxyRefusedException.pathNotAllowed("a '%' that is not followed by two hex digits");
                }
                // Dots, slashes, backslashes, '@', '%' itself (double encoding) and control characters
                // encoded: one more decoding by any server on the way would make them structure.
                if (decoded == '.' || decoded == '/' || decoded == '\\' || decoded == '@' || decoded == '%'
                        || decoded == ';' || decoded < 0x20 || decoded == 0x7f) {
                    throw ProxyRefusedException.pathNotAllowed("an encoded '" + path.substring(i, i + 3) + "'");
                }
            }
        }
        String[] segments = path.split("/", -1);
        for (int i = 0; i < segments.length; i++) {
            String s = segments[i];
            if (s.equals(".") || s.equals("..")) {
                throw ProxyRefusedException.pathNotAllowed("a '" + s + "' segment");
            }
            // A trailing slash is a path of its own at some platforms (TikTok's /advertiser/info/).
            if (s.isEmpty() && i < segments.length - 1) {
                throw ProxyRefusedException.pathNotAllowed("an empty segment ('//' or a leading '/')");
            }
        }
        if (query != null) {
            for (int i = 0; i < query.length(); i++) {
                char c = query.charAt(i);
                if (c <= 0x20 || c >= 0x7f || c == '#') {
                    throw ProxyRefusedException.pathNotAllowed("a control, space or non-ASCII character in the query");
                }
            }
        }
        return new ProxyPath(path, query == null || query.isEmpty() ? null : query);
    }

    /** The path below the base, with its leading slash, as sent. */
    public String rawPath() {
        return "/" + path;
    }

    /** {@code proxy:<api> /<path with ids as {id}>}, at most {@value #LABEL_SEGMENTS} segments. */
    public String label(String api) {
        String[] segments = path.split("/", -1);
        List<String> out = new ArrayList<>();
        for (int i = 0; i < segments.length && i < LABEL_SEGMENTS; i++) {
            String s = segments[i];
            out.add(labelOf(s));
        }
        return "proxy:" + api + " /" + String.join("/", out) + (segments.length > LABEL_SEGMENTS ? "/..." : "");
    }

    private static String labelOf(String segment) {
        if (segment.length() > 40 || segment.contains("%")) {
            return "{id}";
        }
        int colon = segment.indexOf(':');
        if (colon > 0) {
            // customers/123:mutate keeps its verb; only what has a digit is an id.
            String name = segment.substring(0, colon);
            String verb = segment.substring(colon);
            return (hasDigit(name) ? "{id}" : name) + (hasDigit(verb) ? ":{id}" : verb);
        }
        return hasDigit(segment) && !VERSION.matcher(segment).matches() ? "{id}" : segment;
    }

    private static boolean hasDigit(String text) {
        return text.chars().anyMatch(Character::isDigit);
    }

    private static int hex(char a, char b) {
        int hi = Character.digit(a, 16);
        int lo = Character.digit(b, 16);
        return hi < 0 || lo < 0 ? -1 : hi * 16 + lo;
    }
}
