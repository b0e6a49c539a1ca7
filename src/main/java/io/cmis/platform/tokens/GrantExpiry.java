package io.cmis.platform.tokens;

import java.time.Duration;
import java.time.Instant;

/**
 * The one definition of "expiring" that {@code tokens status} and {@code health} (its
 * {@code expiring_soon}, hence the dashboard and the metrics) share, so they cannot disagree: an
 * active grant ends within the window when its token expires then and nothing renews it in the
 * hourly sweep ({@link Renewal#needsWarning()}), or when its refresh token reaches a fixed end then
 * (LinkedIn's year from the consent, which a refresh does not extend). A grant already marked
 * {@code needs_reauth} or revoked is not "expiring": it has ended.
 */
public final class GrantExpiry {
    private GrantExpiry() {
    }

    public static boolean expiring(String status, Renewal renewal, Instant tokenExpiresAt, Instant refreshExpiresAt,
                                   Instant now, Duration within) {
        if (!"active".equals(status)) {
            return false;
        }
        Instant soon = now.plus(within);
        boolean tokenEnds = renewal.needsWarning() && tokenExpiresAt != null && tokenExpiresAt.isBefore(soon);
        return tokenEnds || refreshExpiresAt != null && refreshExpiresAt.isBefore(soon);
    }
}
