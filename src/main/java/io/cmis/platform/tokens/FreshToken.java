package io.cmis.platform.tokens;

import io.cmis.platform.platforms.CallContext;

import java.time.Instant;

/**
 * A token as {@link AccessTokens#fresh} read it: the call context, the platform, the integration's
 * status ({@code active}, {@code needs_reauth}, ...), the token's expiry (null: none known), whether a
 * refresh token renews it, and whether this read itself refreshed it at the platform.
 */
public record FreshToken(CallContext context, String platform, String status, Instant expiresAt, boolean renewable,
                         boolean refreshed) {
    public boolean active() {
        return "active".equals(status);
    }
}
