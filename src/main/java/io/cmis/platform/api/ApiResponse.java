package io.cmis.platform.api;

import java.util.LinkedHashMap;
import java.util.Map;

/** An answer of {@code /api/v1}: a status, JSON, and headers beyond those every answer carries. */
public record ApiResponse(int status, String json, Map<String, String> headers) {
    public static ApiResponse ok(Object document) {
        return of(200, document);
    }

    public static ApiResponse of(int status, Object document) {
        return new ApiResponse(status, ApiJson.write(document), Map.of());
    }

    public ApiResponse withHeader(String name, String value) {
        Map<String, String> more = new LinkedHashMap<>(headers);
        more.put(name, value);
        return new ApiResponse(status, json, Map.copyOf(more));
    }
}
