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

    void record(UUID orgId, UUID integrationId, Instant started, Instant finished, String outcome, SyncCounts counts,
                String error) {
        handle.createUpdate("""
                        INSERT INTO sync_runs (id, org_id, integration_id, started_at, finished_at, outcome,
                                               channels_seen, channels_removed, ad_accounts_seen, ad_accounts_removed, error)
                        VALUES (:id, :org, :integration, :started, :finished, :outcome,
                                :channelsSeen, :channelsRemoved, :adAccountsSeen, :adAccountsRemoved, :error)
                        """)
                .bind("id", UUID.randomUUID())
                .bind("org", orgId)
                .bind("integration", integrationId)
                .bind("started", Timestamp.from(started))
                .bind("finished", Timestamp.from(finished))
                .bind("outcome", outcome)
                .bind("channelsSeen", counts.channelsSeen())
                .bind("channelsRemoved", counts.channelsRemoved())
                .bind("adAccountsSeen", counts.adAccountsSeen())
                .bind("adAccountsRemoved", counts.adAccountsRemoved())
                .bind("error", error)
                .execute();
    }

    void touchIntegration(UUID integrationId, Instant now) {
        handle.createUpdate("UPDATE integrations SET last_synced_at = :now WHERE id = :id")
                .bind("id", integrationId).bind("now", Timestamp.from(now)).execute();
    }
}
