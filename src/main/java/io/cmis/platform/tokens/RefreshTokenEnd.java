package io.cmis.platform.tokens;

import io.cmis.platform.notifications.NotificationOutbox;
import io.cmis.platform.tenancy.OrgId;
import org.jdbi.v3.core.Handle;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * The end of a refresh token that refreshes do not extend (LinkedIn's: 365 days from the member's
 * consent). Refreshing keeps the access token alive only until then, so the org is told at each
 * {@code tokens.expiry-warnings} threshold, once each, as for a Meta token that nothing renews.
 */
final class RefreshTokenEnd {
    private RefreshTokenEnd() {
    }

    /** Whether the refresh token ends within the longest warning threshold (the sweep looks at it then). */
    static boolean near(Instant refreshEndsAt, List<Duration> thresholds, Instant now) {
        return refreshEndsAt != null && !thresholds.isEmpty() && refreshEndsAt.isBefore(now.plus(thresholds.get(0)));
    }

    /** Queues the warnings due now (each threshold once per refresh token end); true when one was queued. */
    static boolean warn(Handle h, NotificationOutbox outbox, OrgId org, UUID integrationId, Instant refreshEndsAt,
                        List<Duration> thresholds, Instant now) {
        if (refreshEndsAt == null) {
            return false;
        }
        Duration left = Duration.between(now, refreshEndsAt);
        boolean queued = false;
        for (Duration threshold : thresholds) {
            if (left.compareTo(threshold) <= 0) {
                queued |= outbox.enqueue(org, "token_expiring", "refresh-expiry:" + integrationId + ":"
                                + threshold.toSeconds() + ":" + refreshEndsAt.getEpochSecond(),
                        io.cmis.platform.integrations.ReconnectAdvice.about(h, integrationId, "can be renewed only "
                                + "until " + refreshEndsAt + ", when its refresh token ends (a refresh does not extend "
                                + "it): reconnect it before then"), now);
            }
        }
        return queued;
    }
}
