package io.cmis.platform.webhooks;

import java.time.Instant;
import java.util.UUID;

/**
 * A row of the webhook inbox. {@code payload} is the normalized event as JSON text; {@code occurredAt}
 * is when it happened by the platform's signed word, null where the platform signs no time.
 */
public record StoredEvent(UUID id, UUID orgId, UUID integrationId, String platform, String eventKey, String eventType,
                         String routingKey, String payload, String status, boolean unmatched, int attempts,
                         Instant nextAttemptAt, String lastError, String effect, Instant receivedAt,
                         Instant processedAt, Instant forwardedAt, Instant occurredAt) {
    /** When the event happened: the platform's signed time, else when it was received. */
    public Instant happenedAt() {
        return occurredAt != null ? occurredAt : receivedAt;
    }
}
