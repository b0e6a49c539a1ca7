package io.cmis.platform.server;

import io.cmis.platform.platforms.ConnectorRegistry;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What {@code /health/integrations} shows a client that is not an admin (a load balancer, a
 * monitoring probe): the contract's {@code components}, but only their aggregate numbers and states.
 * An allow-list, so a field added to the health document later stays admin-only until it is listed
 * here: names, org and integration ids, reasons, last failures, limited scopes (they carry account
 * ids) and fixes (they quote the platform's answer) never reach an unauthenticated client.
 */
final class PublicHealth {
    /** Components with one set of fields. */
    private static final Map<String, Set<String>> FIELDS = Map.of(
            "integrations", Set.of("total", "active", "needs_reauth", "revoked", "expiring_soon", "refresh_overdue",
                    "health"),
            "webhooks", Set.of("queued", "processing", "pending_retries", "dead_letter_queue", "unmatched",
                    "oldest_queued_age_seconds", "processed_24h", "success_rate", "retry_success_rate", "health"),
            "secrets", Set.of("not_under_active_key", "health"),
            "database", Set.of("health"));
    /** Components with one entry per platform, each with these fields. */
    private static final Map<String, Set<String>> PER_PLATFORM_FIELDS = Map.of(
            "api_calls", Set.of("total", "success_rate", "avg_duration_ms", "p95_duration_ms", "failed",
                    "configuration_errors", "health"),
            "rate_limits", Set.of("usage_pct", "limited_scopes", "limited_until", "health"),
            "circuit_breakers", Set.of("state", "since", "open_until", "health"));
    /** The top level: {@code age_seconds} is how old the evaluation is. */
    private static final List<String> TOP = List.of("status", "timestamp", "age_seconds");

    private PublicHealth() {
    }

    /** {@code document} as an admin sees it, reduced to what anyone may see. */
    static Map<String, Object> of(Map<String, Object> document) {
        Map<String, Object> out = new LinkedHashMap<>();
        for (String key : TOP) {
            if (document.containsKey(key)) {
                out.put(key, document.get(key));
            }
        }
        Map<String, Object> components = new LinkedHashMap<>();
        if (document.get("components") instanceof Map<?, ?> all) {
            all.forEach((name, component) -> {
                if (FIELDS.containsKey(name)) {
                    components.put((String) name, only(component, FIELDS.get(name)));
                } else if (PER_PLATFORM_FIELDS.containsKey(name) && component instanceof Map<?, ?> platforms) {
                    Map<String, Object> byPlatform = new LinkedHashMap<>();
                    platforms.forEach((platform, fields) -> {
                        if (ConnectorRegistry.knownIds().contains(platform)) {
                            byPlatform.put((String) platform, only(fields, PER_PLATFORM_FIELDS.get(name)));
                        }
                    });
                    components.put((String) name, byPlatform);
                }
            });
        }
        out.put("components", components);
        out.put("detail", "aggregate numbers only; names, ids and reasons need serve.admin-token (Authorization: Bearer)");
        return out;
    }

    private static Map<String, Object> only(Object component, Set<String> allowed) {
        Map<String, Object> out = new LinkedHashMap<>();
        if (component instanceof Map<?, ?> fields) {
            fields.forEach((field, value) -> {
                if (allowed.contains(field)) {
                    out.put((String) field, value);
                }
            });
        }
        return out;
    }
}
