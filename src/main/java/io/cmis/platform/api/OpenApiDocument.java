package io.cmis.platform.api;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * {@code GET /api/v1/openapi.json}: the OpenAPI 3.1 description of this API, open to anyone (a client
 * generator or a browser reads it before it has a key). Read once from the jar: the same bytes as the
 * release's {@code openapi.json}, built from the one file in the sources.
 */
public final class OpenApiDocument {
    /** Where the document sits on the class path (and in src/main/resources). */
    public static final String RESOURCE = "/io/cmis/platform/api/openapi.json";

    private final String json;

    private OpenApiDocument(String json) {
        this.json = json;
    }

    /** Fails at start-up, not at the first request, when the jar lacks the document. */
    public static OpenApiDocument load() {
        try (InputStream in = OpenApiDocument.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("the jar lacks " + RESOURCE);
            }
            return new OpenApiDocument(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + RESOURCE, e);
        }
    }

    public String json() {
        return json;
    }

    void mount(ApiRoutes routes) {
        ApiResponse answer = new ApiResponse(200, json, Map.of());
        routes.addOpen("GET", "/openapi.json", call -> answer);
    }
}
