package io.cmis.platform.webhooks;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.cmis.platform.tenancy.Tenancy;

import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

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

    /**
     * Two queries that stay on indexes however many processed events are kept: the waiting and
     * dead ones through the status index, the last 24 h of processed ones through the partial
     * index on {@code processed_at}. {@code unmatched} counts the last 24 h.
     */
    public static WebhookStats read(Tenancy tenancy, Clock clock) {
        Instant now = clock.instant();
        Timestamp since = Timestamp.from(now.minus(Duration.ofHours(24)));
        return tenancy.systemWide("webhook statistics", h -> {
            long queued = 0;
            long processing = 0;
            long retrying = 0;
            long dead = 0;
            long dead24h = 0;
            long retriedDead24h = 0;
            long unmatchedWaiting = 0;
            Instant oldest = null;
            for (var row : h.createQuery("""
                            SELECT status, count(*) AS n, min(received_at) AS oldest,
                                   count(*) FILTER (WHERE received_at > :since) AS recent,
                                   count(*) FILTER (WHERE received_at > :since AND attempts > 1) AS recent_retried,
                                   count(*) FILTER (WHERE received_at > :since AND unmatched) AS recent_unmatched
                            FROM webhook_events
                            WHERE status IN ('queued', 'processing', 'retrying', 'dead')
                            GROUP BY status
                            """)
                    .bind("since", since).mapToMap().list()) {
                long n = ((Number) row.get("n")).longValue();
                switch ((String) row.get("status")) {
                    case "queued" -> queued = n;
                    case "processing" -> processing = n;
                    case "retrying" -> retrying = n;
                    default -> {
                        dead = n;
                        dead24h = ((Number) row.get("recent")).longValue();
                        retriedDead24h = ((Number) row.get("recent_retried")).longValue();
                    }
                }
                unmatchedWaiting += ((Number) row.get("recent_unmatched")).longValue();
                Timestamp first = (Timestamp) row.get("oldest");
                boolean waiting = row.get("status").equals("queued") || row.get("status").equals("retrying");
                if (waiting && first != null && (oldest == null || first.toInstant().isBefore(oldest))) {
                    oldest = first.toInstant();
                }
            }
            Map<String, Object> processed = h.createQuery("""
                            SELECT count(*) AS n, count(*) FILTER (WHERE attempts > 1) AS retried,
                                   count(*) FILTER (WHERE unmatched) AS unmatched
                            FROM webhook_events
                            WHERE status = 'processed' AND processed_at > :since
                            """)
                    .bind("since", since).mapToMap().one();
            long processed24h = ((Number) processed.get("n")).longValue();
            long retriedOk = ((Number) processed.get("retried")).longValue();
            long unmatched = unmatchedWaiting + ((Number) processed.get("unmatched")).longValue();
            return new WebhookStats(queued, processing, retrying, dead, unmatched,
                    oldest == null ? 0 : Math.max(0, Duration.between(oldest, now).toSeconds()),
                    processed24h, dead24h, rate(processed24h, dead24h), rate(retriedOk, retriedDead24h));
        });
    }

    private static double rate(long ok, long failed) {
        return ok + failed == 0 ? 1.0 : (double) ok / (ok + failed);
    }
}
