package io.cmis.platform.webhooks;

import java.time.Instant;
import java.util.UUID;

/** An event verified at intake, about to be stored. */
record NewEvent(UUID id, String platform, String eventKey, String eventType, String routingKey, String payload,
                Instant receivedAt) {
}
