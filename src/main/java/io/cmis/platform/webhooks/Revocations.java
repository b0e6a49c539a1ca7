package io.cmis.platform.webhooks;

import io.cmis.platform.platforms.ConnectorRegistry;
import io.cmis.platform.platforms.WebhookSupport;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * Which event types revoke an integration, per platform, as each connector declares them: a type
 * counts only for the platform that really sends it (a Google push typed {@code meta.deauthorize}
 * revokes nothing), whatever a body calls itself.
 */
final class Revocations {
    private final Map<String, Set<String>> byPlatform;

    private Revocations(Map<String, Set<String>> byPlatform) {
        this.byPlatform = byPlatform;
    }

    static Revocations declaredBy(ConnectorRegistry registry) {
        Map<String, Set<String>> declared = new HashMap<>();
        for (String platform : ConnectorRegistry.knownIds()) {
            WebhookSupport webhooks = registry.get(platform).webhooks();
            declared.put(platform, webhooks == null ? Set.of() : Set.copyOf(webhooks.revocations()));
        }
        return new Revocations(Map.copyOf(declared));
    }

    boolean revokes(String platform, String eventType) {
        return eventType != null && byPlatform.getOrDefault(platform, Set.of()).contains(eventType);
    }
}
