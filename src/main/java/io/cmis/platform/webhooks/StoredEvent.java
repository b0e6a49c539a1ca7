package io.cmis.platform.webhooks;

import java.time.Instant;
import java.util.UUID;

/** A row of the webhook inbox. {@code payload} is the normalized event as JSON text. */
public record StoredEvent(UUID id, UUID orgId, UUID integrationId, String platform, String eventKey, String eventType,
                         String routingKey, String payload, String status, boolean unmatched, int attempts,
                         Instant nextAttemptAt, String lastError, String effect, Instant receivedAt,
                         Instant processedAt, Instant forwardedAt) {
}
