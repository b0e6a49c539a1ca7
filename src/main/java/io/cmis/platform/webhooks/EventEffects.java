package io.cmis.platform.webhooks;

import io.cmis.platform.notifications.NotificationOutbox;
import io.cmis.platform.tenancy.OrgId;
import io.cmis.platform.tenancy.Tenancy;

import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * What an event changes locally, in the org of each integration it concerns. Idempotent: applying
 * an event twice (a replay, a worker that died after the effect) changes nothing the second time
 * and alerts once.
 */
final class EventEffects {
    /** The user or advertiser took the app's access away: the grant is gone for good. */
    static final Set<String> REVOCATIONS = Set.of("authorization.removed", "meta.deauthorize", "user_event.revoke");

    private final Tenancy tenancy;
    private final Clock clock;

    EventEffects(Tenancy tenancy, Clock clock) {
        this.tenancy = tenancy;
        this.clock = clock;
    }

    /** Applies the event; returns a short account of what changed, for the event row. */
    String apply(StoredEvent event, List<EventRouter.Match> matches) {
        if (matches.isEmpty()) {
            return "unmatched: no integration, channel or ad account of " + event.platform() + " '"
                    + event.routingKey() + "'";
        }
        if (!REVOCATIONS.contains(event.eventType())) {
            return "stored";
        }
        List<String> revoked = new ArrayList<>();
        for (EventRouter.Match match : matches) {
            if (match.account() && revoke(event, match)) {
                revoked.add(match.integrationId().toString());
            }
        }
        return revoked.isEmpty() ? "already revoked" : "revoked integration " + String.join(", ", revoked);
    }

    private boolean revoke(StoredEvent event, EventRouter.Match match) {
        Instant now = clock.instant();
        OrgId org = new OrgId(match.orgId());
        return tenancy.inOrg(org, h -> {
            int changed = h.createUpdate("""
                            UPDATE integrations SET status = 'revoked', status_reason = :reason, updated_at = :now
                            WHERE id = :id AND status <> 'revoked'
                            """)
                    .bind("id", match.integrationId())
                    .bind("reason", "access removed on " + event.platform() + " (" + event.eventType() + ")")
                    .bind("now", Timestamp.from(now))
                    .execute();
            if (changed == 0) {
                return false;
            }
            h.createUpdate("""
                            UPDATE channels SET status = 'removed', removed_at = :now, updated_at = :now
                            WHERE integration_id = :id AND status = 'active'
                            """)
                    .bind("id", match.integrationId()).bind("now", Timestamp.from(now)).execute();
            new NotificationOutbox(h).enqueue(org, "revoked", "revoked:" + match.integrationId() + ":" + event.id(),
                    io.cmis.platform.integrations.ReconnectAdvice.about(h, match.integrationId(),
                            "was removed on the platform (" + event.eventType() + ") and is revoked; connect it again "
                                    + "to resume"), now);
            return true;
        });
    }
}
