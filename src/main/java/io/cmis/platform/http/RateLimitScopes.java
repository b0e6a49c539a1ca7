package io.cmis.platform.http;

import java.util.UUID;

/**
 * The names of rate-limit scopes, so every platform writes the same scope the same way. A limit is
 * recorded on the narrowest scope a platform's answer names, and defers only the calls that would
 * hit that scope ({@link PlatformRequest#rateLimitScopes()}).
 */
public final class RateLimitScopes {
    /** The whole app, every org: only for limits the platform itself applies to the app. */
    public static final String APP = "app";

    private RateLimitScopes() {
    }

    /** One integration: its user's token (Meta user-level limits, throttles naming no object). */
    public static String integration(UUID integrationId) {
        return "integration:" + integrationId;
    }

    /** One endpoint as called by one integration (the call a business-use-case throttle answered). */
    public static String call(UUID integrationId, String endpoint) {
        return "call:" + integrationId + ":" + endpoint;
    }

    /** One of the platform's endpoints, app-wide (TikTok's per-endpoint QPS/QPM limits). */
    public static String endpoint(String endpoint) {
        return "endpoint:" + endpoint;
    }

    /** One business object of the platform: an ad account {@code act_<id>}, a page, an advertiser, a customer. */
    public static String object(String kind, String id) {
        return kind + ":" + id;
    }
}
