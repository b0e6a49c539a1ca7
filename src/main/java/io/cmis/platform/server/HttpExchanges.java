package io.cmis.platform.server;

import com.sun.net.httpserver.HttpExchange;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Small helpers over the JDK's exchange: bounded bodies, lower-case headers, query parameters, answers. */
final class HttpExchanges {
    private HttpExchanges() {
    }

    /** Bodies up to this are read to the end even when refused, so the sender sees the answer, not a reset. */
    private static final long DRAIN_LIMIT = 16L * 1024 * 1024;

    /** The body, or empty when it is longer than {@code max} bytes. */
    static Optional<byte[]> body(HttpExchange exchange, int max) throws IOException {
        String declared = exchange.getRequestHeaders().getFirst("content-length");
        if (declared != null) {
            try {
                long length = Long.parseLong(declared.trim());
                if (length > max) {
                    if (length <= DRAIN_LIMIT) {
                        try (InputStream in = exchange.getRequestBody()) {
                            in.transferTo(OutputStream.nullOutputStream());
                        }
                    }
                    return Optional.empty();
                }
            } catch (NumberFormatException ignored) {
                // read and count instead
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buffer = new byte[8192];
        try (InputStream in = exchange.getRequestBody()) {
            for (int n; (n = in.read(buffer)) > 0; ) {
                if (out.size() + n > max) {
                    return Optional.empty();
                }
                out.write(buffer, 0, n);
            }
        }
        return Optional.of(out.toByteArray());
    }

    static Map<String, String> headers(HttpExchange exchange) {
        Map<String, String> headers = new HashMap<>();
        exchange.getRequestHeaders().forEach((name, values) -> {
            if (!values.isEmpty()) {
                headers.put(name.toLowerCase(java.util.Locale.ROOT), values.get(0));
            }
        });
        return headers;
    }

    static Map<String, String> query(HttpExchange exchange) {
        Map<String, String> query = new HashMap<>();
        String raw = exchange.getRequestURI().getRawQuery();
        if (raw == null) {
            return query;
        }
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            String name = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            query.putIfAbsent(name, value);
        }
        return query;
    }

    static void send(HttpExchange exchange, int status, String contentType, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().put("content-type", List.of(contentType));
        exchange.getResponseHeaders().put("cache-control", List.of("no-store"));
        exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
        if (bytes.length > 0) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        }
        exchange.close();
    }

    static void json(HttpExchange exchange, int status, String json) throws IOException {
        send(exchange, status, "application/json", json);
    }
}
