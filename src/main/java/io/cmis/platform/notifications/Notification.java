package io.cmis.platform.notifications;

import java.time.Instant;
import java.util.UUID;

/** One alert of the outbox: what it says, and how its delivery went. */
public record Notification(UUID id, UUID orgId, String kind, String message, String status, int attempts,
                           String lastError, Instant createdAt, Instant deliveredAt) {
}
