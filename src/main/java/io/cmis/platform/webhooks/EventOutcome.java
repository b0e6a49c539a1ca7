package io.cmis.platform.webhooks;

import com.fasterxml.jackson.annotation.JsonProperty;

import java.time.Instant;
import java.util.UUID;

/** What one processing attempt did to one event: {@code processed}, {@code retrying}, {@code dead} or {@code released}. */
public record EventOutcome(UUID id, String platform, @JsonProperty("event_type") String eventType, String outcome,
                           String detail, @JsonProperty("next_attempt_at") Instant nextAttemptAt) {
    public boolean succeeded() {
        return outcome.equals("processed");
    }

    public boolean failed() {
        return outcome.equals("retrying") || outcome.equals("dead");
    }
}
