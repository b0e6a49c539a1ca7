package io.cmis.platform.webhooks;

import io.cmis.platform.support.PlatformTestBed;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A worker's lock and finish read the batch they handle, not the queue's history, even before the
 * table's first ANALYZE (a new installation's first minute; autovacuum looks once a minute). Then the
 * planner guesses fewer due rows than a batch and would read the whole backlog for each claim, and
 * guesses one event in processing and would find a batch's events through every index entry any
 * event ever had in processing, dead ones included: measured under intake with the workers on,
 * 264-421 µs of PostgreSQL CPU per event until the first autovacuum, 69-82 µs with this fixed.
 */
class QueuePlansTest {
    private static final int BACKLOG = 5_000;

    @Test
    void a_claim_of_ten_reads_about_ten_entries_of_a_backlog_the_planner_has_no_statistics_for() {
        try (PlatformTestBed bed = new PlatformTestBed()) {
            bed.jdbi.useHandle(h -> {
                neverAnalysed(h);
                store(h, "backlog-", BACKLOG);
            });
            Instant now = Instant.now();

            long[] read = new long[2];
            List<?> claimed = bed.tenancy().systemWide("test: claim and count what it read", h -> {
                List<?> events = new WebhookEventRepository(h).lockDue(10, now, true, Duration.ofMinutes(2));
                // Entries this transaction's scans returned from the due index (bitmap scans count too).
                read[0] = h.createQuery("SELECT pg_stat_get_xact_tuples_returned('webhook_events_due'::regclass)")
                        .mapTo(Long.class).one();
                read[1] = sequentialReads(h); // a sort over all of the table would be no better
                return events;
            });

            assertThat(claimed).hasSize(10);
            assertThat(read[0]).as("due-index entries read to claim 10 of %d", BACKLOG).isLessThan(100);
            assertThat(read[1]).as("rows read by sequential scans").isLessThan(100);
        }
    }

    @Test
    void finishing_a_batch_reads_neither_the_entries_every_processed_event_left_in_the_status_index_nor_the_table() {
        try (PlatformTestBed bed = new PlatformTestBed()) {
            bed.jdbi.useHandle(h -> {
                neverAnalysed(h);
                // History: events stored, claimed and processed, each step leaving a dead index entry.
                store(h, "done-", BACKLOG);
                h.execute("UPDATE cmis_platform.webhook_events SET status = 'processing', claimed_by = 'old'");
                h.execute("UPDATE cmis_platform.webhook_events SET status = 'processed', claimed_by = NULL, processed_at = now()");
                store(h, "new-", 1000);
            });
            Instant now = Instant.now();

            long read = bed.tenancy().systemWide("test: claim, finish and count what the finish read", h -> {
                WebhookEventRepository events = new WebhookEventRepository(h);
                List<StoredEvent> claimed = events.lockDue(1000, now, false, Duration.ofMinutes(2));
                assertThat(claimed).hasSize(1000);
                long before = statusIndexReads(h) + sequentialReads(h);
                long keysBefore = primaryKeyReads(h);
                events.finish(claimed.stream().map(e -> new WebhookEventRepository.Finished(e.id(), "processed",
                        null, null, "unmatched", null, null, false, 1)).toList(), now);
                assertThat(primaryKeyReads(h) - keysBefore).as("primary-key entries read").isLessThanOrEqualTo(2000);
                return statusIndexReads(h) + sequentialReads(h) - before;
            });

            assertThat(read).as("status-index entries and rows scanned to finish a batch of 1,000 after %d processed",
                            BACKLOG)
                    .isLessThan(500);
            int processed = bed.jdbi.withHandle(h -> h.createQuery(
                    "SELECT count(*) FROM cmis_platform.webhook_events WHERE status = 'processed' AND event_key LIKE 'new-%'")
                    .mapTo(Integer.class).one());
            assertThat(processed).isEqualTo(1000);
        }
    }

    /**
     * {@code webhooks stats} and health count what waits and what is dead through the status index
     * (since version 17 it holds no processed event) and the last 24 hours of processed events through
     * their own: however many older processed events are kept, none is read.
     */
    @Test
    void the_statistics_read_none_of_the_older_processed_events() {
        try (PlatformTestBed bed = new PlatformTestBed()) {
            bed.jdbi.useHandle(h -> {
                store(h, "done-", 10 * BACKLOG);
                h.createUpdate("UPDATE cmis_platform.webhook_events SET status = 'processed', processed_at = :at")
                        .bind("at", java.sql.Timestamp.from(bed.clock.instant().minus(Duration.ofDays(2)))).execute();
                store(h, "waiting-", 10);
                h.execute("VACUUM ANALYZE cmis_platform.webhook_events");
            });
            long[] read = new long[2];
            WebhookStats stats = bed.tenancy().systemWide("test: statistics and what they read", h -> {
                long indexBefore = indexReads(h);
                long rowsBefore = sequentialReads(h);
                WebhookStats counted = WebhookStats.read(bed.tenancy(), bed.clock);
                read[0] = indexReads(h) - indexBefore;
                read[1] = sequentialReads(h) - rowsBefore;
                return counted;
            });
            assertThat(stats.queued()).isEqualTo(10);
            assertThat(stats.processed24h()).isZero();
            assertThat(read[0]).as("index entries read").isLessThanOrEqualTo(20);
            assertThat(read[1]).as("rows read by sequential scans").isZero();
        }
    }

    /** Entries every index of the table returned in this transaction. */
    private static long indexReads(org.jdbi.v3.core.Handle h) {
        return h.createQuery("""
                SELECT sum(pg_stat_get_xact_tuples_returned(indexrelid))::bigint FROM pg_index
                WHERE indrelid = 'cmis_platform.webhook_events'::regclass""").mapTo(Long.class).one();
    }

    /** No autovacuum: the table stays never analysed, as in a new installation's first minute. */
    private static void neverAnalysed(org.jdbi.v3.core.Handle h) {
        h.execute("ALTER TABLE cmis_platform.webhook_events SET (autovacuum_enabled = false)");
    }

    /** {@code count} queued Meta events, due in the order of their keys. */
    private static void store(org.jdbi.v3.core.Handle h, String keyPrefix, int count) {
        h.createUpdate("""
                INSERT INTO cmis_platform.webhook_events (id, platform, event_key, payload, next_attempt_at)
                SELECT gen_random_uuid(), 'meta', :prefix || n, '{}', TIMESTAMPTZ '2026-01-01' + n * INTERVAL '1 ms'
                FROM generate_series(1, :count) n
                """).bind("prefix", keyPrefix).bind("count", count).execute();
    }

    /** Rows sequential scans of the table returned in this transaction. */
    private static long sequentialReads(org.jdbi.v3.core.Handle h) {
        return h.createQuery("SELECT pg_stat_get_xact_tuples_returned('webhook_events'::regclass)")
                .mapTo(Long.class).one();
    }

    private static long primaryKeyReads(org.jdbi.v3.core.Handle h) {
        return h.createQuery("SELECT pg_stat_get_xact_tuples_returned('webhook_events_pkey'::regclass)")
                .mapTo(Long.class).one();
    }

    private static long statusIndexReads(org.jdbi.v3.core.Handle h) {
        return h.createQuery("""
                SELECT pg_stat_get_xact_tuples_returned('webhook_events_unfinished'::regclass)
                     + pg_stat_get_xact_tuples_returned('webhook_events_claimed'::regclass)""")
                .mapTo(Long.class).one();
    }
}
