package io.cmis.platform.api;

import java.util.Map;
import java.util.UUID;

/** A request that passed the key check: who calls, the route's path parameters, the request. */
public record ApiCall(ApiCaller caller, Map<String, String> params, ApiRequest request) {
    /**
     * A path parameter that names a resource by id. Not an id at all answers 404 like an id of
     * another org: the answer never tells the two apart.
     */
    public UUID id(String name) {
        String text = params.getOrDefault(name, "");
        try {
            UUID id = UUID.fromString(text);
            if (!id.toString().equalsIgnoreCase(text)) {
                throw ApiError.notFound();
            }
            return id;
        } catch (IllegalArgumentException e) {
            throw ApiError.notFound();
        }
    }
}
