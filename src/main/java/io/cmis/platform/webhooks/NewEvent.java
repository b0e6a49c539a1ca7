package io.cmis.platform.webhooks;

import java.time.Instant;
import java.util.UUID;

/** An event verified at intake, about to be stored; {@code occurredAt} null where the platform signs no time. */
record NewEvent(UUID id, String platform, String eventKey, String eventType, String routingKey, String payload,
                Instant receivedAt, Instant occurredAt) {
}
