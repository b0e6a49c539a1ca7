package io.cmis.platform.webhooks;

import io.cmis.platform.notifications.NotificationOutbox;
import io.cmis.platform.tenancy.OrgId;
import io.cmis.platform.tenancy.Tenancy;

import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What an event changes locally, in the org of each integration it concerns. Idempotent: applying
 * an event twice (a replay, a worker that died after the effect) changes nothing the second time
 * and alerts once. Only a type its platform declares a revocation revokes, and never an integration
 * connected (again) after the revocation happened: a captured revoke replayed later, or one
 * delivered late after a reconnect, leaves the new grant alone.
 */
final class EventEffects {
    private enum Outcome { REVOKED, ALREADY_REVOKED, CONNECTED_SINCE }

    private record Result(Outcome outcome, Instant connectedAt) {
    }

    private record Current(boolean revoked, Instant connectedAt) {
    }

    private final Tenancy tenancy;
    private final Clock clock;
    private final Revocations revocations;

    EventEffects(Tenancy tenancy, Clock clock, Revocations revocations) {
        this.tenancy = tenancy;
        this.clock = clock;
        this.revocations = revocations;
    }

    /** Applies the event; returns a short account of what changed, for the event row. */
    String apply(StoredEvent event, List<EventRouter.Match> matches) {
        if (matches.isEmpty()) {
            return "unmatched: no integration, channel or ad account of " + event.platform() + " '"
                    + event.routingKey() + "'";
        }
        if (!revocations.revokes(event.platform(), event.eventType())) {
            return "stored";
        }
        List<String> revoked = new ArrayList<>();
        List<String> kept = new ArrayList<>();
        for (EventRouter.Match match : matches) {
            if (!match.account()) {
                continue;
            }
            Result result = revoke(event, match);
            if (result.outcome() == Outcome.REVOKED) {
                revoked.add(match.integrationId().toString());
            } else if (result.outcome() == Outcome.CONNECTED_SINCE) {
                kept.add(match.integrationId() + " (connected at " + result.connectedAt() + ")");
            }
        }
        List<String> notes = new ArrayList<>();
        if (!revoked.isEmpty()) {
            notes.add("revoked integration " + String.join(", ", revoked));
        }
        if (!kept.isEmpty()) {
            notes.add("not revoked: the revocation happened at " + event.happenedAt() + " ("
                    + (event.occurredAt() != null ? "signed by " + event.platform() : "received; no signed time")
                    + "), before the latest connect of integration " + String.join(", ", kept)
                    + "; left as it is");
        }
        return notes.isEmpty() ? "already revoked" : String.join("; ", notes);
    }

    private Result revoke(StoredEvent event, EventRouter.Match match) {
        Instant now = clock.instant();
        OrgId org = new OrgId(match.orgId());
        return tenancy.inOrg(org, h -> {
            // Locked: a connect of the same integration (which sets connected_at) waits, or is seen.
            Optional<Current> current = h.createQuery("""
                            SELECT status, connected_at FROM integrations WHERE id = :id FOR UPDATE
                            """)
                    .bind("id", match.integrationId())
                    .map((rs, ctx) -> new Current("revoked".equals(rs.getString("status")),
                            rs.getTimestamp("connected_at").toInstant()))
                    .findOne();
            if (current.isEmpty() || current.get().revoked()) {
                return new Result(Outcome.ALREADY_REVOKED, null);
            }
            if (event.happenedAt().isBefore(current.get().connectedAt())) {
                return new Result(Outcome.CONNECTED_SINCE, current.get().connectedAt());
            }
            h.createUpdate("""
                            UPDATE integrations SET status = 'revoked', status_reason = :reason, updated_at = :now
                            WHERE id = :id
                            """)
                    .bind("id", match.integrationId())
                    .bind("reason", "access removed on " + event.platform() + " (" + event.eventType() + ")")
                    .bind("now", Timestamp.from(now))
                    .execute();
            h.createUpdate("""
                            UPDATE channels SET status = 'removed', removed_at = :now, updated_at = :now
                            WHERE integration_id = :id AND status = 'active'
                            """)
                    .bind("id", match.integrationId()).bind("now", Timestamp.from(now)).execute();
            new NotificationOutbox(h).enqueue(org, "revoked", "revoked:" + match.integrationId() + ":" + event.id(),
                    io.cmis.platform.integrations.ReconnectAdvice.about(h, match.integrationId(),
                            "was removed on the platform (" + event.eventType() + ") and is revoked; connect it again "
                                    + "to resume"), now);
            return new Result(Outcome.REVOKED, current.get().connectedAt());
        });
    }
}
