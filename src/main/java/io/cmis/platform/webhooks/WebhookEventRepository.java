package io.cmis.platform.webhooks;

import io.cmis.platform.tenancy.Tenancy;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.mapper.RowMapper;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * The webhook inbox: durable intake, dedupe record, work queue and dead-letter queue in one table.
 * Runs on the system path: events arrive before anyone knows their org.
 */
public final class WebhookEventRepository {
    private static final String COLUMNS = """
            id, org_id, integration_id, platform, event_key, event_type, routing_key, payload::text AS payload,
            status, unmatched, attempts, next_attempt_at, last_error, effect, received_at, processed_at, forwarded_at,
            occurred_at
            """;
    static final RowMapper<StoredEvent> MAPPER = (rs, ctx) -> new StoredEvent(
            rs.getObject("id", UUID.class), rs.getObject("org_id", UUID.class),
            rs.getObject("integration_id", UUID.class), rs.getString("platform"), rs.getString("event_key"),
            rs.getString("event_type"), rs.getString("routing_key"), rs.getString("payload"), rs.getString("status"),
            rs.getBoolean("unmatched"), rs.getInt("attempts"), instant(rs.getTimestamp("next_attempt_at")),
            rs.getString("last_error"), rs.getString("effect"), instant(rs.getTimestamp("received_at")),
            instant(rs.getTimestamp("processed_at")), instant(rs.getTimestamp("forwarded_at")),
            instant(rs.getTimestamp("occurred_at")));

    private final Handle handle;

    public WebhookEventRepository(Handle handle) {
        this.handle = handle;
    }

    /**
     * Inserts the events in one statement, a transaction of its own sent in one round trip; a key already stored (or twice in this batch) is skipped.
     * Returns the keys ({@code platform + '\n' + event_key}) that were new. Rows go in key order, so
     * two batches that share keys lock them in the same order and cannot deadlock.
     */
    static Set<String> insertNew(Tenancy.SystemSession session, List<NewEvent> events) {
        List<NewEvent> sorted = new ArrayList<>(events);
        // One order for every committer on every host: concurrent batches lock the key index alike.
        sorted.sort(java.util.Comparator.comparing(NewEvent::platform).thenComparing(NewEvent::eventKey));
        return session.query(INSERT_NEW, statement -> statement.setString(1, rows(sorted)), rows -> {
            Set<String> inserted = new HashSet<>();
            while (rows.next()) {
                inserted.add(rows.getString(1));
            }
            return inserted;
        });
    }

    private static final String INSERT_NEW = """
            INSERT INTO webhook_events (id, platform, event_key, event_type, routing_key, payload,
                                        received_at, next_attempt_at, occurred_at)
            SELECT id, platform, event_key, event_type, routing_key, payload, received_at, received_at, occurred_at
            FROM jsonb_to_recordset(CAST(? AS jsonb))
                 AS e(id uuid, platform text, event_key text, event_type text, routing_key text,
                      payload jsonb, received_at timestamptz, occurred_at timestamptz)
            ON CONFLICT (platform, event_key) DO NOTHING
            RETURNING platform || chr(10) || event_key
            """;

    /**
     * The batch as one JSON array, the payloads copied in as they are (already JSON). Measured
     * (README): binding seven arrays made the driver escape every payload character by character
     * on the one committer thread, the intake's bottleneck.
     */
    private static String rows(List<NewEvent> events) {
        StringBuilder out = new StringBuilder(events.size() * 512).append('[');
        for (NewEvent e : events) {
            out.append(out.length() == 1 ? "{" : ",{");
            field(out, "id", e.id().toString()).append(',');
            field(out, "platform", e.platform()).append(',');
            field(out, "event_key", e.eventKey()).append(',');
            field(out, "event_type", e.eventType()).append(',');
            field(out, "routing_key", e.routingKey()).append(",\"payload\":").append(e.payload()).append(',');
            field(out, "received_at", e.receivedAt().toString()).append(',');
            field(out, "occurred_at", e.occurredAt() == null ? null : e.occurredAt().toString()).append('}');
        }
        return out.append(']').toString();
    }

    private static StringBuilder field(StringBuilder out, String name, String value) {
        out.append('"').append(name).append("\":");
        if (value == null) {
            return out.append("null");
        }
        out.append('"');
        com.fasterxml.jackson.core.io.CharTypes.appendQuoted(out, value);
        return out.append('"');
    }

    /**
     * Locks up to {@code max} due events for this transaction ({@code FOR UPDATE SKIP LOCKED}: workers
     * on any host take disjoint batches), oldest due first, and up to {@code max} that an older version
     * left claimed with a lease that ran out. Nothing is written: the lock is the claim, and it ends with
     * the transaction, so a worker that dies (its connection closes) or whose host goes silent for
     * {@code silentFor} (the server ends the session) leaves its events due at once. Without
     * {@code withPayload} the payload is not read out (only forwarding needs it).
     */
    List<StoredEvent> lockDue(int max, Instant now, boolean withPayload, java.time.Duration silentFor) {
        // Until the table's first ANALYZE (autovacuum looks at it once a minute: a new installation's
        // first minute) the planner guesses fewer due rows than a batch and reads them all with a
        // bitmap scan and a sort: every claim would read the whole backlog, and the dead entries a
        // bitmap scan never marks dead (QueuePlansTest: 5,000 entries to claim 10). The ordered index
        // scan reads the batch. The finish, in the same transaction, joins the outcomes to their rows:
        // guessing a thousand outcomes among few rows it read the whole table (QueuePlansTest: 6,000 rows
        // to finish 1,000), and guessing one row it ran the outcomes again for each row (under load,
        // 60 ms for 270 events). Only a nested loop from each outcome to its row by primary key reads
        // the batch alone, whatever the statistics. The settings are transaction-local, so nothing stays
        // on a pooled session.
        handle.createQuery("""
                        SELECT set_config('enable_bitmapscan', 'off', true) AS bitmap,
                               set_config('enable_seqscan', 'off', true) AS seq,
                               set_config('enable_hashjoin', 'off', true) AS hash,
                               set_config('enable_mergejoin', 'off', true) AS merge,
                               set_config('idle_in_transaction_session_timeout', :silent, true) AS silent
                        """)
                .bind("silent", Long.toString(silentFor.toMillis()))
                .mapToMap().one();
        String columns = withPayload ? COLUMNS : COLUMNS.replace("payload::text AS payload", "NULL AS payload");
        return handle.createQuery("WITH due AS (SELECT " + columns + """
                            FROM webhook_events
                            WHERE status IN ('queued', 'retrying') AND next_attempt_at <= :now
                            ORDER BY next_attempt_at
                            LIMIT :max
                            FOR UPDATE SKIP LOCKED),
                        expired AS (SELECT\s""" + columns + """
                            FROM webhook_events
                            WHERE status = 'processing' AND claimed_until < :now
                            LIMIT :max
                            FOR UPDATE SKIP LOCKED)
                        SELECT * FROM due UNION ALL SELECT * FROM expired
                        """)
                .bind("now", Timestamp.from(now))
                .bind("max", max)
                .map(MAPPER)
                .list();
    }

    /**
     * What processing did to an event it locked: {@code processed}, or {@code retrying} (due again at
     * {@code nextAttemptAt}) or {@code dead} with {@code error}; where routing led (the org and
     * integration of its first match, none when unmatched); whether it was forwarded; and
     * {@code attempts}, its count with this one.
     */
    record Finished(UUID id, String status, UUID orgId, UUID integrationId, String effect, String error,
                    Instant nextAttemptAt, boolean forwarded, int attempts) {
    }

    /**
     * Records the batch's outcomes in one statement: one new row version per event, in the transaction
     * that locked them, by primary key (see {@link #lockDue} for why no sequential scan).
     */
    void finish(List<Finished> events, Instant now) {
        if (events.isEmpty()) {
            return;
        }
        handle.createUpdate("""
                        UPDATE webhook_events AS e
                        SET status = f.status, attempts = f.attempts, effect = coalesce(f.effect, e.effect),
                            last_error = f.error, next_attempt_at = coalesce(CAST(f.next_attempt_at AS timestamptz), e.next_attempt_at),
                            processed_at = CASE WHEN f.status = 'processed' THEN :now ELSE e.processed_at END,
                            forwarded_at = CASE WHEN f.forwarded THEN :now ELSE e.forwarded_at END,
                            org_id = f.org_id, integration_id = f.integration_id, routed = true,
                            unmatched = f.integration_id IS NULL, claimed_by = NULL, claimed_until = NULL
                        FROM unnest(:ids, :statuses, :orgs, :integrations, :effects, :errors, :next, :forwarded,
                                    :attempts)
                             AS f(id, status, org_id, integration_id, effect, error, next_attempt_at, forwarded,
                                  attempts)
                        WHERE e.id = f.id
                        """)
                .bind("ids", events.stream().map(Finished::id).toArray(UUID[]::new))
                .bind("statuses", events.stream().map(Finished::status).toArray(String[]::new))
                .bind("orgs", events.stream().map(Finished::orgId).toArray(UUID[]::new))
                .bind("integrations", events.stream().map(Finished::integrationId).toArray(UUID[]::new))
                .bind("effects", events.stream().map(Finished::effect).toArray(String[]::new))
                .bind("errors", events.stream().map(Finished::error).toArray(String[]::new))
                .bind("next", events.stream().map(f -> f.nextAttemptAt() == null ? null : f.nextAttemptAt().toString())
                        .toArray(String[]::new))
                .bind("forwarded", events.stream().map(Finished::forwarded).toArray(Boolean[]::new))
                .bind("attempts", events.stream().map(Finished::attempts).toArray(Integer[]::new))
                .bind("now", Timestamp.from(now))
                .execute();
    }

    /** Events a replay would put back (by id, all dead, or a platform since a time), oldest first. */
    List<StoredEvent> replayable(ReplaySelection selection) {
        return handle.createQuery("SELECT " + COLUMNS + """
                         FROM webhook_events
                        WHERE status IN ('processed', 'dead', 'retrying')
                          AND (:ids::uuid[] IS NULL OR id = ANY(:ids))
                          AND (NOT :dead OR status = 'dead')
                          AND (:platform::text IS NULL OR platform = :platform)
                          AND (:since::timestamptz IS NULL OR received_at >= :since)
                        ORDER BY received_at, id
                        """)
                .bind("ids", selection.ids().isEmpty() ? null : selection.ids().toArray(UUID[]::new))
                .bind("dead", selection.dead())
                .bind("platform", selection.platform().orElse(null))
                .bind("since", selection.since().map(Timestamp::from).orElse(null))
                .map(MAPPER)
                .list();
    }

    /** Puts events back in the queue as new: due now, no attempts, no error. */
    int requeue(Collection<UUID> ids, Instant now) {
        return handle.createUpdate("""
                        UPDATE webhook_events SET status = 'queued', attempts = 0, next_attempt_at = :now,
                               last_error = NULL, claimed_by = NULL, claimed_until = NULL
                        WHERE id = ANY(:ids) AND status IN ('processed', 'dead', 'retrying')
                        """)
                .bind("ids", ids.toArray(UUID[]::new)).bind("now", Timestamp.from(now))
                .execute();
    }

    public Optional<StoredEvent> find(UUID id) {
        return handle.createQuery("SELECT " + COLUMNS + " FROM webhook_events WHERE id = :id")
                .bind("id", id).map(MAPPER).findOne();
    }

    /** Newest first. */
    public List<StoredEvent> list(Optional<String> status, Optional<String> platform, boolean unmatchedOnly,
                                  int limit) {
        return handle.createQuery("SELECT " + COLUMNS + """
                         FROM webhook_events
                        WHERE (:status::text IS NULL OR status = :status)
                          AND (:platform::text IS NULL OR platform = :platform)
                          AND (NOT :unmatched OR unmatched)
                        ORDER BY received_at DESC, id
                        LIMIT :limit
                        """)
                .bind("status", status.orElse(null)).bind("platform", platform.orElse(null))
                .bind("unmatched", unmatchedOnly).bind("limit", limit)
                .map(MAPPER)
                .list();
    }

    /** Deletes up to {@code batch} events of the given statuses finished before {@code before}. */
    int deleteFinishedBefore(Instant before, boolean includeDead, int batch) {
        return handle.createUpdate("""
                        DELETE FROM webhook_events WHERE id IN (
                            SELECT id FROM webhook_events
                            WHERE (status = 'processed' AND processed_at < :before)
                               OR (:dead AND status = 'dead' AND received_at < :before)
                            LIMIT :batch)
                        """)
                .bind("before", Timestamp.from(before)).bind("dead", includeDead).bind("batch", batch)
                .execute();
    }

    private static Instant instant(Timestamp t) {
        return t == null ? null : t.toInstant();
    }
}
