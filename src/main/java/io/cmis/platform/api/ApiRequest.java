package io.cmis.platform.api;

import java.util.Map;
import java.util.Optional;

/**
 * One request to {@code /api/v1}, as the server read it: {@code path} as the client sent it (still
 * percent-encoded), {@code headers} by lower-case name (the first value of each), the query's
 * parameters (the first value of each) and the query string as sent ({@code rawQuery}, null when there
 * was none: the proxy passes it on byte for byte), the body (empty for a GET).
 */
public record ApiRequest(String method, String path, Map<String, String> query, Map<String, String> headers, byte[] body,
                         String rawQuery) {
    public ApiRequest(String method, String path, Map<String, String> query, Map<String, String> headers, byte[] body) {
        this(method, path, query, headers, body, null);
    }

    public Optional<String> header(String lowerCaseName) {
        return Optional.ofNullable(headers.get(lowerCaseName));
    }

    public Optional<String> param(String name) {
        return Optional.ofNullable(query.get(name)).filter(v -> !v.isEmpty());
    }
}
