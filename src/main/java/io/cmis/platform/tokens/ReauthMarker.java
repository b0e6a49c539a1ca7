package io.cmis.platform.tokens;

import io.cmis.platform.notifications.NotificationOutbox;
import io.cmis.platform.tenancy.OrgId;
import io.cmis.platform.tenancy.Tenancy;

import java.time.Clock;
import java.util.UUID;

/** Marks an integration {@code needs_reauth} with its reason and queues one alert, in one transaction. */
public final class ReauthMarker {
    private final Tenancy tenancy;
    private final Clock clock;

    public ReauthMarker(Tenancy tenancy, Clock clock) {
        this.tenancy = tenancy;
        this.clock = clock;
    }

    public void mark(OrgId org, UUID integrationId, String platform, String reason) {
        tenancy.inOrgDo(org, h -> {
            new TokenRepository(h).needsReauth(integrationId, reason, clock.instant());
            new NotificationOutbox(h).enqueue(org, "needs_reauth", "needs_reauth:" + integrationId,
                    io.cmis.platform.integrations.ReconnectAdvice.about(h, integrationId,
                            "needs to be reconnected: " + reason),
                    clock.instant());
        });
    }
}
