package io.cmis.platform.sync;

import org.jdbi.v3.core.Handle;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.UUID;

/** One row per integration sync in {@code sync_runs}: when, outcome, counts. */
final class SyncRunRepository {
    private final Handle handle;

    SyncRunRepository(Handle handle) {
        this.handle = handle;
    }

    /**
     * The end of a sync, in one statement: its lease ended, the integration's last sync set (a
     * success only) and its sync_runs row written, when this sync still held the lease
     * ({@code onlyIfHeld}; a failure is recorded either way). Returns whether it held the lease.
     * Three statements were three round trips of every integration's result transaction.
     */
    boolean recordAndEndLease(UUID orgId, UUID integrationId, String holder, boolean onlyIfHeld, Instant syncedAt,
                              Instant started, Instant finished, String outcome, SyncCounts counts, String error) {
        return handle.createQuery("""
                        WITH lease AS (
                            DELETE FROM sync_leases WHERE integration_id = :integration AND holder = :holder
                            RETURNING integration_id),
                        touched AS (
                            UPDATE integrations SET last_synced_at = :syncedAt
                            WHERE id = :integration AND CAST(:syncedAt AS timestamptz) IS NOT NULL
                              AND EXISTS (SELECT 1 FROM lease)
                            RETURNING id),
                        run AS (
                            INSERT INTO sync_runs (id, org_id, integration_id, started_at, finished_at, outcome,
                                                   channels_seen, channels_removed, ad_accounts_seen, ad_accounts_removed, error)
                            SELECT :id, :org, :integration, :started, :finished, :outcome,
                                   :channelsSeen, :channelsRemoved, :adAccountsSeen, :adAccountsRemoved, :error
                            WHERE NOT :onlyIfHeld OR EXISTS (SELECT 1 FROM lease)
                            RETURNING id)
                        SELECT EXISTS (SELECT 1 FROM lease) AS held, (SELECT count(*) FROM touched) + (SELECT count(*) FROM run) AS written
                        """)
                .bind("id", UUID.randomUUID())
                .bind("org", orgId)
                .bind("integration", integrationId)
                .bind("holder", holder)
                .bind("onlyIfHeld", onlyIfHeld)
                .bind("syncedAt", syncedAt == null ? null : Timestamp.from(syncedAt))
                .bind("started", Timestamp.from(started))
                .bind("finished", Timestamp.from(finished))
                .bind("outcome", outcome)
                .bind("channelsSeen", counts.channelsSeen())
                .bind("channelsRemoved", counts.channelsRemoved())
                .bind("adAccountsSeen", counts.adAccountsSeen())
                .bind("adAccountsRemoved", counts.adAccountsRemoved())
                .bind("error", error)
                .map((rs, ctx) -> rs.getBoolean("held"))
                .one();
    }
}
