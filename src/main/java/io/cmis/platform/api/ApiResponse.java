package io.cmis.platform.api;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An answer of {@code /api/v1}: a status, JSON, and headers beyond those every answer carries. A
 * proxied platform answer carries its body as bytes instead ({@code bytes}, with the platform's
 * {@code contentType}, null when it named none), passed on as it came.
 */
public record ApiResponse(int status, String json, Map<String, String> headers, byte[] bytes, String contentType) {
    public ApiResponse(int status, String json, Map<String, String> headers) {
        this(status, json, headers, null, null);
    }

    public static ApiResponse ok(Object document) {
        return of(200, document);
    }

    public static ApiResponse of(int status, Object document) {
        return new ApiResponse(status, ApiJson.write(document), Map.of());
    }

    /** A platform's answer passed through: status, body bytes and content type as they came. */
    public static ApiResponse raw(int status, byte[] body, String contentType, Map<String, String> headers) {
        return new ApiResponse(status, null, Map.copyOf(headers), body, contentType);
    }

    public ApiResponse withHeader(String name, String value) {
        Map<String, String> more = new LinkedHashMap<>(headers);
        more.put(name, value);
        return new ApiResponse(status, json, Map.copyOf(more), bytes, contentType);
    }
}
