package io.cmis.platform.api;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An answer other than success, as one JSON shape: {@code {"error":{"code":…,"message":…}}}. The
 * {@code code} is stable (programs branch on it), the message is for people and may change.
 */
public final class ApiError extends RuntimeException {
    private final int status;
    private final String code;
    private final Map<String, String> headers;

    public ApiError(int status, String code, String message) {
        this(status, code, message, Map.of());
    }

    public ApiError(int status, String code, String message, Map<String, String> headers) {
        super(message, null, false, false);
        this.status = status;
        this.code = code;
        this.headers = Map.copyOf(headers);
    }

    public static ApiError unauthorized() {
        // Nothing more: whether a key was malformed, unknown or revoked would help whoever guesses.
        return new ApiError(401, "unauthorized", "a valid API key is required as 'Authorization: Bearer <key>'",
                Map.of("WWW-Authenticate", "Bearer realm=\"cmis-platform\""));
    }

    public static ApiError notFound() {
        return new ApiError(404, "not_found", "no such resource");
    }

    public static ApiError badRequest(String message) {
        return new ApiError(400, "invalid_request", message);
    }

    public int status() {
        return status;
    }

    public String code() {
        return code;
    }

    public ApiResponse response() {
        Map<String, Object> error = new LinkedHashMap<>();
        error.put("code", code);
        error.put("message", getMessage());
        ApiResponse response = ApiResponse.of(status, Map.of("error", error));
        for (Map.Entry<String, String> h : headers.entrySet()) {
            response = response.withHeader(h.getKey(), h.getValue());
        }
        return response;
    }
}
