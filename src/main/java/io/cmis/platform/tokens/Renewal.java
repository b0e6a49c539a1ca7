package io.cmis.platform.tokens;

import io.cmis.platform.platforms.RefreshMode;

import java.util.Locale;

/**
 * How one stored token stays alive: its platform's refresh mode for its kind, corrected by what was
 * actually stored with it. A token that expires and has nothing to renew it (an import without a
 * refresh token, an expiry on a kind that "never expires") is {@link #NONE}: warned about before it
 * expires and marked for re-auth once it has, never "does not expire".
 */
public enum Renewal {
    /** A refresh token renews it (rotating or not). */
    REFRESH_TOKEN,
    /** Re-exchanged while it is valid, then the user must reconnect (Meta user tokens). */
    REEXCHANGE_THEN_RECONNECT,
    /** It expires and nothing can renew it: the org must reconnect before then. */
    NONE,
    /** No expiry is known; only revocation ends it. */
    NEVER_EXPIRES;

    public static Renewal of(RefreshMode mode, boolean hasRefreshToken, boolean expires) {
        if (!expires) {
            return NEVER_EXPIRES;
        }
        return switch (mode) {
            case REFRESH_TOKEN, ROTATING_REFRESH_TOKEN -> hasRefreshToken ? REFRESH_TOKEN : NONE;
            case REAUTH_ONLY -> REEXCHANGE_THEN_RECONNECT;
            case NEVER_EXPIRES -> NONE;
        };
    }

    /** Warned about ahead of its expiry: nothing refreshes it in the hourly sweep. */
    public boolean needsWarning() {
        return this == NONE || this == REEXCHANGE_THEN_RECONNECT;
    }

    public String text() {
        return name().toLowerCase(Locale.ROOT);
    }
}
