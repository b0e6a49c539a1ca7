package io.cmis.platform.platforms.x;

import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * What OAuth 1.0a signs of an HTTP request: method, URL and, for a form post only, the body.
 * A JSON body is sent as is but never signed (RFC 5849 3.4.1.3.1 covers form bodies alone).
 */
public record OAuth1Request(String method, URI url, String contentType, String body) {
    static final String FORM = "application/x-www-form-urlencoded";

    /** One name/value pair, raw (not encoded); X rejects duplicate names but the RFC orders them. */
    public record Param(String name, String value) {
        public Param {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(value, "value");
        }
    }

    public OAuth1Request {
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(url, "url");
        if (url.getScheme() == null || url.getHost() == null) {
            // No URL in the message: a query may carry values that do not belong in a log.
            throw new IllegalArgumentException("an OAuth 1.0a request needs an absolute URL with a scheme and host");
        }
    }

    /** A request without a body (GET, DELETE, or a POST whose parameters are all in the query). */
    public static OAuth1Request of(String method, URI url) {
        return new OAuth1Request(method, url, null, null);
    }

    /** A form post; the body is encoded the same way it is signed, so the two cannot disagree. */
    public static OAuth1Request form(String method, URI url, List<Param> fields) {
        String body = fields.stream()
                .map(p -> OAuth1Signer.percentEncode(p.name()) + '=' + OAuth1Signer.percentEncode(p.value()))
                .collect(Collectors.joining("&"));
        return new OAuth1Request(method, url, FORM, body);
    }

    /** A JSON body, which is not part of the signature. */
    public static OAuth1Request json(String method, URI url, String json) {
        return new OAuth1Request(method, url, "application/json", json);
    }

    /** The query parameters, then the form body's when the body is a form: decoded, in request order. */
    List<Param> signedParameters() {
        List<Param> params = new ArrayList<>(decode(url.getRawQuery()));
        if (isForm()) {
            params.addAll(decode(body));
        }
        return params;
    }

    boolean isForm() {
        return contentType != null && body != null
                && contentType.toLowerCase(Locale.ROOT).split(";", 2)[0].trim().equals(FORM);
    }

    /** Splits {@code a=1&b&c=} into pairs, decoding as a form does ({@code +} is a space). */
    static List<Param> decode(String encoded) {
        List<Param> params = new ArrayList<>();
        if (encoded == null || encoded.isEmpty()) {
            return params;
        }
        for (String pair : encoded.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String name = eq < 0 ? pair : pair.substring(0, eq);
            String value = eq < 0 ? "" : pair.substring(eq + 1);
            params.add(new Param(formDecode(name), formDecode(value)));
        }
        return params;
    }

    private static String formDecode(String text) {
        try {
            return URLDecoder.decode(text, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            // URLDecoder's message quotes the input; keep values out of messages.
            throw new IllegalArgumentException("malformed percent-encoding in a request parameter");
        }
    }

    @Override
    public String toString() {
        // Method and path only: the query and body may hold values that do not belong in a log.
        return "OAuth1Request[" + method + ' ' + url.getScheme() + "://" + url.getHost() + url.getRawPath() + ']';
    }
}
