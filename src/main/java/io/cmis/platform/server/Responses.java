package io.cmis.platform.server;

import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

import java.util.Locale;

/**
 * Writing answers, each with the headers that keep a browser from misusing it: no content sniffing,
 * no framing (clickjacking), no referrer (a callback URL carries a code), and on HTML a
 * Content-Security-Policy that allows no script at all and only the page's own hashed stylesheet.
 */
final class Responses {
    /** HTML without styles: the callback, start and login pages. Forms post only to serve itself. */
    static final String HTML_POLICY = Html.policy("");
    /** Everything that is not HTML: nothing may load or frame it. */
    private static final String OTHER_POLICY = "default-src 'none'; frame-ancestors 'none'";

    private Responses() {
    }

    static void send(Response response, Callback done, int status, String contentType, String body) {
        boolean html = contentType.startsWith("text/html");
        send(response, done, status, contentType, body, html ? HTML_POLICY : OTHER_POLICY);
    }

    static void send(Response response, Callback done, int status, String contentType, String body, String policy) {
        response.setStatus(status);
        secure(response, policy);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, contentType.toLowerCase(Locale.ROOT));
        Content.Sink.write(response, true, body, done);
    }

    /**
     * Bytes as another server gave them (a proxied platform answer): its content type (none when it
     * named none) under serve's own headers, which also keep a browser from rendering it as a page.
     */
    static void sendBytes(Response response, Callback done, int status, String contentType, byte[] body) {
        response.setStatus(status);
        secure(response, OTHER_POLICY);
        if (contentType != null) {
            response.getHeaders().put(HttpHeader.CONTENT_TYPE, contentType);
        }
        response.write(true, java.nio.ByteBuffer.wrap(body == null ? new byte[0] : body), done);
    }

    /** A redirect (the browser connect flow's start) carries the same headers and no body. */
    static void redirect(Response response, Callback done, int status, String location) {
        response.setStatus(status);
        secure(response, OTHER_POLICY);
        response.getHeaders().put(HttpHeader.LOCATION, location);
        response.write(true, null, done);
    }

    static void page(Response response, Callback done, int status, String title, String text) {
        send(response, done, status, "text/html; charset=utf-8", Html.page(title, "<p>" + Html.escape(text) + "</p>"));
    }

    private static void secure(Response response, String policy) {
        response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
        response.getHeaders().put("X-Content-Type-Options", "nosniff");
        response.getHeaders().put("X-Frame-Options", "DENY");
        response.getHeaders().put("Referrer-Policy", "no-referrer");
        response.getHeaders().put("Content-Security-Policy", policy);
    }
}
