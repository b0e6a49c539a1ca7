package io.cmis.platform.health;

import java.time.Instant;
import java.util.Map;

/**
 * One evaluation: the overall state (the worst component), when, and each component's numbers
 * with its own {@code health}. Components are maps so the JSON is exactly the contract's shape.
 */
public record HealthReport(HealthStatus status, Instant timestamp, Map<String, Object> components) {

    /** A component's state: its own {@code health}, or the worst of its parts (per platform). */
    @SuppressWarnings("unchecked")
    public static HealthStatus worstOf(Object component) {
        if (!(component instanceof Map<?, ?> map)) {
            return HealthStatus.HEALTHY;
        }
        if (map.get("health") instanceof HealthStatus status) {
            return status;
        }
        HealthStatus worst = HealthStatus.HEALTHY;
        for (Object part : ((Map<String, Object>) map).values()) {
            worst = worst.worst(worstOf(part));
        }
        return worst;
    }

    /** The health document of the contract: {@code status}, {@code timestamp}, {@code components}. */
    public Map<String, Object> document() {
        Map<String, Object> out = new java.util.LinkedHashMap<>();
        out.put("status", status);
        out.put("timestamp", timestamp);
        out.put("components", components);
        return out;
    }

    /** The document as served at {@code now}: also how many seconds ago it was evaluated. */
    public Map<String, Object> documentAt(Instant now) {
        Map<String, Object> out = document();
        out.put("age_seconds", Math.max(0, java.time.Duration.between(timestamp, now).toMillis()) / 1000.0);
        return out;
    }

    /** The database could not be read: nothing is known. */
    public static HealthReport unknown(Instant now, String reason) {
        return new HealthReport(HealthStatus.UNKNOWN, now, Map.of("database", Map.of("health",
                HealthStatus.UNKNOWN, "error", reason)));
    }
}
