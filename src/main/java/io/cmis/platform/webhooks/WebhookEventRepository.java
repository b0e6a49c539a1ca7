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
     * Claims up to {@code max} due events, and up to {@code max} whose claim ran out because their
     * worker died, for {@code worker} until {@code until}. Counts the attempt. Two selects, each
     * on its own partial index: one with an OR between them scans the whole table.
     */
    List<StoredEvent> claim(String worker, int max, Instant now, Instant until) {
        // Until the table's first ANALYZE (autovacuum looks at it once a minute: a new installation's
        // first minute) the planner guesses fewer due rows than a batch and reads them all with a
        // bitmap scan and a sort: every claim would read the whole backlog, and the dead entries a
        // bitmap scan never marks dead (QueuePlansTest: 5,000 entries to claim 10). The ordered index
        // scan reads the batch. Transaction-local, so nothing stays on a pooled session.
        handle.createQuery("SELECT set_config('enable_bitmapscan', 'off', true)").mapTo(String.class).one();
        return handle.createQuery("""
                        WITH due AS (
                            SELECT id FROM webhook_events
                            WHERE status IN ('queued', 'retrying') AND next_attempt_at <= :now
                            ORDER BY next_attempt_at
                            LIMIT :max
                            FOR UPDATE SKIP LOCKED),
                        expired AS (
                            SELECT id FROM webhook_events
                            WHERE status = 'processing' AND claimed_until < :now
                            LIMIT :max
                            FOR UPDATE SKIP LOCKED)
                        UPDATE webhook_events SET status = 'processing', claimed_by = :worker, claimed_until = :until,
                               attempts = attempts + 1
                        WHERE id IN (SELECT id FROM due UNION ALL SELECT id FROM expired)
                        RETURNING
                        """ + COLUMNS)
                .bind("worker", worker).bind("until", Timestamp.from(until)).bind("now", Timestamp.from(now))
                .bind("max", max)
                .map(MAPPER)
                .list();
    }

    /**
     * An event processed by {@code worker}: where routing led (the org and integration of its first
     * match, none when unmatched), what it did, and whether it was forwarded.
     */
    record Processed(UUID id, UUID orgId, UUID integrationId, String effect, boolean forwarded) {
    }

    /**
     * Marks events processed, with their route, in one statement (one new row version per event);
     * only the worker holding their claim may. The status is tested as {@code (…) IS TRUE} so that no
     * index on it can serve the statement: until the table's first ANALYZE the planner guesses one
     * event in processing and would find a batch through every entry any event ever left in the
     * status indexes, dead ones included (QueuePlansTest: 6,000 entries to finish 1,000 after 5,000
     * processed; under load, 264-421 µs of PostgreSQL CPU per event until autovacuum came, 69-82 µs
     * with this). By primary key it reads the batch's rows only.
     */
    void processed(String worker, List<Processed> events, Instant now) {
        if (events.isEmpty()) {
            return;
        }
        handle.createUpdate("""
                        UPDATE webhook_events AS e
                        SET status = 'processed', processed_at = :now, effect = p.effect,
                            org_id = p.org_id, integration_id = p.integration_id, routed = true,
                            unmatched = p.integration_id IS NULL,
                            forwarded_at = CASE WHEN p.forwarded THEN :now ELSE e.forwarded_at END,
                            claimed_by = NULL, claimed_until = NULL, last_error = NULL
                        FROM unnest(:ids, :orgs, :integrations, :effects, :forwarded)
                             AS p(id, org_id, integration_id, effect, forwarded)
                        WHERE e.id = p.id AND e.claimed_by = :worker AND (e.status = 'processing') IS TRUE
                        """)
                .bind("ids", events.stream().map(Processed::id).toArray(UUID[]::new))
                .bind("orgs", events.stream().map(Processed::orgId).toArray(UUID[]::new))
                .bind("integrations", events.stream().map(Processed::integrationId).toArray(UUID[]::new))
                .bind("effects", events.stream().map(Processed::effect).toArray(String[]::new))
                .bind("forwarded", events.stream().map(Processed::forwarded).toArray(Boolean[]::new))
                .bind("worker", worker)
                .bind("now", Timestamp.from(now))
                .execute();
    }

    /** Failed this time: retried at {@code next}, or dead when {@code next} is empty; with its route. */
    boolean failed(UUID id, UUID orgId, UUID integrationId, String worker, String error, Optional<Instant> next) {
        return handle.createUpdate("""
                        UPDATE webhook_events SET status = :status, next_attempt_at = coalesce(:next, next_attempt_at),
                               org_id = CAST(:org AS uuid), integration_id = CAST(:integration AS uuid), routed = true,
                               unmatched = CAST(:integration AS uuid) IS NULL,
                               last_error = :error, claimed_by = NULL, claimed_until = NULL
                        WHERE id = :id AND claimed_by = :worker AND status = 'processing'
                        """)
                .bind("id", id).bind("worker", worker).bind("error", error)
                .bind("org", orgId).bind("integration", integrationId)
                .bind("status", next.isPresent() ? "retrying" : "dead")
                .bind("next", next.map(Timestamp::from).orElse(null))
                .execute() == 1;
    }

    /** Gives claimed events back (a worker shutting down), without counting the attempt. */
    int release(String worker, Collection<UUID> ids) {
        if (ids.isEmpty()) {
            return 0;
        }
        return handle.createUpdate("""
                        UPDATE webhook_events
                        SET status = CASE WHEN attempts > 1 THEN 'retrying' ELSE 'queued' END,
                            attempts = attempts - 1, claimed_by = NULL, claimed_until = NULL
                        WHERE id = ANY(:ids) AND claimed_by = :worker AND status = 'processing'
                        """)
                .bind("ids", ids.toArray(UUID[]::new)).bind("worker", worker)
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
