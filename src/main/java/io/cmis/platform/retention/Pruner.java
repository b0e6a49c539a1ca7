package io.cmis.platform.retention;

import io.cmis.platform.tenancy.Tenancy;
import io.cmis.platform.webhooks.WebhookAdmin;

import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Deletes what each growing table no longer needs to keep ({@code db prune}). The raw call log goes
 * a whole UTC day at a time, by dropping the day's partition once all of it is past the retention
 * (so it keeps between the retention and a day more); everything else, and calls outside the day
 * partitions, row by row in transactions of at most {@value #BATCH} rows: the tables stay usable meanwhile, a kill loses at most one batch's work
 * (the next run goes on from there), and two pruners at once take different rows (SKIP LOCKED).
 * Only finished things are deleted: never a pending alert, an unfinished sync run, or a webhook event
 * that is queued, being processed, retrying or dead.
 */
public final class Pruner {
    static final int BATCH = 5_000;

    /** One table's rule: the rows of {@code table} older than the cutoff that may go. */
    private record Rule(String name, String table, String retentionKey, String condition, boolean lockRows) {
        Rule(String name, String table, String retentionKey, String condition) {
            this(name, table, retentionKey, condition, true);
        }
    }

    private static final String CALL_LOG = "platform_api_calls";
    private static final List<Rule> RULES = List.of(
            new Rule(CALL_LOG, "platform_api_calls_default", "api-calls.retention", "called_at < :cutoff"),
            new Rule("platform_call_rollups", "platform_call_rollups", "api-call-rollups.retention", "bucket < :cutoff"),
            new Rule("sync_runs", "sync_runs", "sync-runs.retention", "finished_at < :cutoff"),
            new Rule("notifications", "notifications", "alerts.retention",
                    "status IN ('delivered', 'failed') AND created_at < :cutoff"),
            new Rule("oauth_states", "oauth_states", "oauth-states.retention", "expires_at < :cutoff"),
            // An audit: the system role may delete reads but never update one (V16), and FOR UPDATE needs
            // UPDATE. Two pruners at once may pick the same rows; the second then deletes fewer, never wrong ones.
            new Rule("credential_reads", "credential_reads", "credential-reads.retention", "read_at < :cutoff", false));

    /** What a run did: rows deleted per table, in the order pruned, and the call log's partitions. */
    public record Pruned(Map<String, Long> deleted, int partitionsDropped, int partitionsDeferred, int partitionsAdded) {
    }

    private final Tenancy tenancy;
    private final Clock clock;
    private final RetentionSettings settings;

    public Pruner(Tenancy tenancy, Clock clock, RetentionSettings settings) {
        this.tenancy = tenancy;
        this.clock = clock;
        this.settings = settings;
    }

    public Pruned pruneAll() {
        Instant now = clock.instant();
        CallLogPartitions partitions = new CallLogPartitions(tenancy);
        // Ahead first: a run that dies later has still made room for the coming days' calls.
        int added = partitions.addAhead(now);
        CallLogPartitions.Dropped dropped = partitions.dropBefore(now.minus(settings.of("api-calls.retention")));
        Map<String, Long> deleted = new LinkedHashMap<>();
        for (Rule rule : RULES) {
            long rows = prune(rule, now.minus(settings.of(rule.retentionKey())));
            deleted.put(rule.name(), rule.name().equals(CALL_LOG) ? rows + dropped.calls() : rows);
        }
        deleted.put("webhook_events", new WebhookAdmin(tenancy, clock).cleanup(settings.of("webhooks.retention"), false));
        return new Pruned(deleted, dropped.partitions(), dropped.deferred(), added);
    }

    /** The retention each table was pruned by. */
    public Map<String, Duration> retentions() {
        Map<String, Duration> out = new LinkedHashMap<>();
        RULES.forEach(rule -> out.put(rule.name(), settings.of(rule.retentionKey())));
        out.put("webhook_events", settings.of("webhooks.retention"));
        return out;
    }

    private long prune(Rule rule, Instant cutoff) {
        // Table names and conditions are the constants above, never input.
        String sql = "DELETE FROM " + rule.table() + " WHERE ctid = ANY(ARRAY("
                + "SELECT ctid FROM " + rule.table() + " WHERE " + rule.condition()
                + " LIMIT :batch" + (rule.lockRows() ? " FOR UPDATE SKIP LOCKED" : "") + "))";
        long total = 0;
        int n;
        do {
            n = tenancy.systemWide("prune " + rule.name(), h -> h.createUpdate(sql)
                    .bind("cutoff", Timestamp.from(cutoff)).bind("batch", BATCH).execute());
            total += n;
        } while (n == BATCH);
        return total;
    }
}
