package io.cmis.platform.sync;

import java.time.Instant;
import java.util.UUID;

/**
 * One integration's result. {@code outcome}: synced, synced_elsewhere (another run at the same time
 * did it), skipped, deferred (rate limited: what could be synced was, the rest waits), needs_reauth,
 * failed. A deferral says which scope is limited and until when.
 */
public record SyncOutcome(UUID integrationId, UUID orgId, String platform, String outcome, String detail,
                          SyncCounts counts, String limitedScope, Instant limitedUntil) {
    public SyncOutcome(UUID integrationId, UUID orgId, String platform, String outcome, String detail,
                       SyncCounts counts) {
        this(integrationId, orgId, platform, outcome, detail, counts, null, null);
    }

    public boolean failed() {
        return outcome.equals("failed") || outcome.equals("needs_reauth");
    }

    public boolean succeeded() {
        return outcome.equals("synced");
    }

    /** Whether its data is now synced, by this run or by another at the same time. */
    public boolean done() {
        return outcome.equals("synced") || outcome.equals("synced_elsewhere");
    }
}
