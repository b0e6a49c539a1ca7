package io.cmis.platform.health;

import io.cmis.platform.notifications.NotificationOutbox;
import io.cmis.platform.tenancy.Tenancy;

import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Alerts on a change of the overall state, recovery included, once however many hosts evaluate
 * at the same moment (the stored state is locked while compared); while critical, a reminder
 * every {@code health.reminder-interval}. The alert goes through the notification outbox.
 */
public final class HealthAlerts {
    private final Tenancy tenancy;
    private final HealthSettings settings;
    private final Clock clock;

    public HealthAlerts(Tenancy tenancy, HealthSettings settings, Clock clock) {
        this.tenancy = tenancy;
        this.settings = settings;
        this.clock = clock;
    }

    /** Records the evaluation; returns the alert queued, if any. */
    public Optional<String> record(HealthReport report) {
        Instant now = clock.instant();
        String current = report.status().text();
        return tenancy.systemWide("health state and alerts", h -> {
            h.createUpdate("""
                            INSERT INTO health_state (component, status, changed_at) VALUES ('overall', 'healthy', :now)
                            ON CONFLICT (component) DO NOTHING
                            """)
                    .bind("now", Timestamp.from(now)).execute();
            Map<String, Object> previous = h.createQuery("""
                            SELECT status, changed_at, last_alert_at FROM health_state
                            WHERE component = 'overall' FOR UPDATE
                            """)
                    .mapToMap().one();
            String before = (String) previous.get("status");
            String message;
            if (!before.equals(current)) {
                h.createUpdate("""
                                UPDATE health_state SET status = :status, changed_at = :now, last_alert_at = :now
                                WHERE component = 'overall'
                                """)
                        .bind("status", current).bind("now", Timestamp.from(now)).execute();
                message = report.status() == HealthStatus.HEALTHY
                        ? "cmis-platform recovered: health is healthy again (was " + before + ")"
                        : "cmis-platform health is " + current + " (was " + before + "): " + problems(report);
            } else if (report.status() == HealthStatus.CRITICAL && remind(previous, now)) {
                h.createUpdate("UPDATE health_state SET last_alert_at = :now WHERE component = 'overall'")
                        .bind("now", Timestamp.from(now)).execute();
                message = "cmis-platform is still critical (since " + ((Timestamp) previous.get("changed_at")).toInstant()
                        + "): " + problems(report);
            } else {
                return Optional.<String>empty();
            }
            new NotificationOutbox(h).enqueue(null, "health", "health:" + current + ":" + now.toEpochMilli(),
                    message, now);
            return Optional.of(message);
        });
    }

    private boolean remind(Map<String, Object> previous, Instant now) {
        Timestamp last = (Timestamp) previous.get("last_alert_at");
        return last == null || !last.toInstant().plus(settings.reminderInterval()).isAfter(now);
    }

    /** "circuit_breakers.meta critical, webhooks warning" */
    static String problems(HealthReport report) {
        List<String> found = new ArrayList<>();
        collect("", report.components(), found);
        return found.isEmpty() ? "no component reports a problem" : String.join(", ", found);
    }

    @SuppressWarnings("unchecked")
    private static void collect(String path, Map<String, Object> component, List<String> found) {
        Object health = component.get("health");
        if (health instanceof HealthStatus status) {
            if (status != HealthStatus.HEALTHY) {
                found.add(path + " " + status.text());
            }
            return;
        }
        component.forEach((name, value) -> {
            if (value instanceof Map<?, ?> map) {
                collect(path.isEmpty() ? name : path + "." + name, (Map<String, Object>) map, found);
            }
        });
    }
}
