package io.cmis.platform.server;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;

/** Escaping for text put into HTML, the small pages serve answers with, and their Content-Security-Policy. */
public final class Html {
    private Html() {
    }

    public static String escape(String text) {
        StringBuilder out = new StringBuilder(text.length());
        for (char c : text.toCharArray()) {
            switch (c) {
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '&' -> out.append("&amp;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&#39;");
                default -> out.append(c);
            }
        }
        return out.toString();
    }

    /** A page with a title and {@code body} (already HTML), no style and no script. */
    static String page(String title, String body) {
        return "<!doctype html><meta charset=utf-8><meta name=viewport content='width=device-width'><title>"
                + escape(title) + "</title><h1>" + escape(title) + "</h1>" + body;
    }

    /**
     * No script, nothing from elsewhere, no framing; the one inline {@code <style>} element allowed by
     * its SHA-256 (empty: no style at all). Forms may post only to serve itself.
     */
    static String policy(String style) {
        String styles = style.isEmpty() ? "" : "; style-src 'sha256-" + sha256Base64(style) + "'";
        return "default-src 'none'" + styles + "; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";
    }

    private static String sha256Base64(String text) {
        try {
            return Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-256")
                    .digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
