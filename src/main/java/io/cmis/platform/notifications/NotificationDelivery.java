package io.cmis.platform.notifications;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.cmis.platform.logging.SecretMasker;
import io.cmis.platform.tenancy.Tenancy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Sends pending alerts to {@code alerts.webhook-url} as Slack-compatible {@code {"text": ...}}.
 * Each row is locked while it is sent ({@code FOR UPDATE SKIP LOCKED}) and marked delivered in the
 * same transaction, so two processes never send the same alert; a failure is retried later with
 * backoff, and given up after {@link #BACKOFF}'s last step.
 */
public final class NotificationDelivery {
    static final List<Duration> BACKOFF = List.of(Duration.ofSeconds(30), Duration.ofMinutes(2), Duration.ofMinutes(10),
            Duration.ofHours(1), Duration.ofHours(6));
    private static final Logger log = LoggerFactory.getLogger(NotificationDelivery.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Tenancy tenancy;
    private final URI target;
    private final Clock clock;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    public NotificationDelivery(Tenancy tenancy, URI target, Clock clock) {
        this.tenancy = tenancy;
        this.target = target;
        this.clock = clock;
    }

    /** Sends what is due; returns how many were delivered now. */
    public int deliverDue() {
        int delivered = 0;
        while (true) {
            Boolean sent = tenancy.systemWide("deliver a pending alert", h -> {
                Instant now = clock.instant();
                var row = h.createQuery("""
                                SELECT id, message, attempts FROM notifications
                                WHERE status = 'pending' AND next_attempt_at <= :now
                                ORDER BY next_attempt_at
                                LIMIT 1
                                FOR UPDATE SKIP LOCKED
                                """)
                        .bind("now", Timestamp.from(now))
                        .mapToMap().findOne();
                if (row.isEmpty()) {
                    return null;
                }
                UUID id = (UUID) row.get().get("id");
                int attempts = ((Number) row.get().get("attempts")).intValue() + 1;
                String error = send((String) row.get().get("message"));
                if (error == null) {
                    h.createUpdate("UPDATE notifications SET status = 'delivered', attempts = :a, delivered_at = :now, "
                                    + "last_error = NULL WHERE id = :id")
                            .bind("a", attempts).bind("now", Timestamp.from(now)).bind("id", id).execute();
                    return true;
                }
                boolean giveUp = attempts > BACKOFF.size();
                h.createUpdate("UPDATE notifications SET status = :status, attempts = :a, last_error = :error, "
                                + "next_attempt_at = :next WHERE id = :id")
                        .bind("status", giveUp ? "failed" : "pending").bind("a", attempts).bind("error", error)
                        .bind("next", Timestamp.from(now.plus(BACKOFF.get(Math.min(attempts, BACKOFF.size()) - 1))))
                        .bind("id", id).execute();
                log.warn("alert delivery failed (attempt {}): {}", attempts, error);
                return false;
            });
            if (sent == null) {
                return delivered;
            }
            if (sent) {
                delivered++;
            } else {
                return delivered; // the receiver is failing: leave the rest for the next run
            }
        }
    }

    private String send(String message) {
        try {
            HttpRequest request = HttpRequest.newBuilder(target).timeout(Duration.ofSeconds(10))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(Map.of("text", message))))
                    .build();
            int status = http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
            return status >= 200 && status < 300 ? null : "HTTP " + status;
        } catch (IOException e) {
            return SecretMasker.mask(e.getClass().getSimpleName() + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
    }
}
