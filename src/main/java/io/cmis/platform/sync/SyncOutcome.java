package io.cmis.platform.sync;

import java.util.UUID;

/** One integration's result. {@code outcome}: synced, skipped, deferred (rate limited), needs_reauth, failed. */
public record SyncOutcome(UUID integrationId, UUID orgId, String platform, String outcome, String detail,
                          SyncCounts counts) {
    public boolean failed() {
        return outcome.equals("failed") || outcome.equals("needs_reauth");
    }

    public boolean succeeded() {
        return outcome.equals("synced");
    }
}
