package io.cmis.platform.tokens;

import java.time.Instant;
import java.util.UUID;

/**
 * What happened to one integration in a sweep. {@code outcome}: refreshed, skipped, warned,
 * needs_reauth, failed, would_refresh (dry run); replaced (only for a caller holding a token another process
 * already replaced, never in a sweep).
 */
public record RefreshOutcome(UUID integrationId, UUID orgId, String platform, String outcome, String detail,
                             Instant tokenExpiresAt) {
    public boolean failed() {
        return outcome.equals("failed") || outcome.equals("needs_reauth");
    }

    public boolean succeeded() {
        return outcome.equals("refreshed") || outcome.equals("would_refresh");
    }
}
