package io.cmis.platform.webhooks;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.cmis.platform.tenancy.Tenancy;

import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/**
 * The state of the inbox in numbers, for operators and health: what waits, what is dead, how
 * retries end. Rates cover the last 24 hours and are 1.0 when nothing ended in that time.
 */
public record WebhookStats(long queued, long processing,
                           @JsonProperty("pending_retries") long pendingRetries,
                           @JsonProperty("dead_letter_queue") long deadLetterQueue,
                           long unmatched,
                           @JsonProperty("oldest_waiting_seconds") long oldestWaitingSeconds,
                           @JsonProperty("processed_24h") long processed24h,
                           @JsonProperty("dead_24h") long dead24h,
                           @JsonProperty("success_rate") double successRate,
                           @JsonProperty("retry_success_rate") double retrySuccessRate) {

    public static WebhookStats read(Tenancy tenancy, Clock clock) {
        Instant now = clock.instant();
        return tenancy.systemWide("webhook statistics", h -> h.createQuery("""
                        SELECT count(*) FILTER (WHERE status = 'queued') AS queued,
                               count(*) FILTER (WHERE status = 'processing') AS processing,
                               count(*) FILTER (WHERE status = 'retrying') AS retrying,
                               count(*) FILTER (WHERE status = 'dead') AS dead,
                               count(*) FILTER (WHERE unmatched) AS unmatched,
                               min(received_at) FILTER (WHERE status IN ('queued', 'retrying')) AS oldest_waiting,
                               count(*) FILTER (WHERE status = 'processed' AND processed_at > :since) AS processed_24h,
                               count(*) FILTER (WHERE status = 'processed' AND processed_at > :since AND attempts > 1)
                                   AS retried_processed_24h,
                               count(*) FILTER (WHERE status = 'dead' AND received_at > :since) AS dead_24h,
                               count(*) FILTER (WHERE status = 'dead' AND received_at > :since AND attempts > 1)
                                   AS retried_dead_24h
                        FROM webhook_events
                        """)
                .bind("since", Timestamp.from(now.minus(Duration.ofHours(24))))
                .map((rs, ctx) -> {
                    Timestamp oldest = rs.getTimestamp("oldest_waiting");
                    long processed = rs.getLong("processed_24h");
                    long dead = rs.getLong("dead_24h");
                    long retriedOk = rs.getLong("retried_processed_24h");
                    long retriedDead = rs.getLong("retried_dead_24h");
                    return new WebhookStats(rs.getLong("queued"), rs.getLong("processing"), rs.getLong("retrying"),
                            rs.getLong("dead"), rs.getLong("unmatched"),
                            oldest == null ? 0 : Math.max(0, Duration.between(oldest.toInstant(), now).toSeconds()),
                            processed, dead, rate(processed, dead), rate(retriedOk, retriedDead));
                })
                .one());
    }

    private static double rate(long ok, long failed) {
        return ok + failed == 0 ? 1.0 : (double) ok / (ok + failed);
    }
}
