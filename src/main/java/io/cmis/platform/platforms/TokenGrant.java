package io.cmis.platform.platforms;

import io.cmis.platform.crypto.Secret;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Tokens a platform issued, as they should be stored: a rotated refresh token is in here and must
 * be saved in the same transaction as the access token, or the account is lost. {@code tokenSecret}
 * is the OAuth 1.0a token secret (X), stored encrypted beside the access token; empty for OAuth 2.
 * {@code accountName} is the account's name when the token answer itself gave it (X's screen_name),
 * so that no further call is needed to name it.
 */
public record TokenGrant(
        Secret accessToken,
        Optional<Secret> refreshToken,
        Optional<Instant> expiresAt,
        Optional<Instant> refreshExpiresAt,
        String tokenKind,
        List<String> scopes,
        Optional<String> accountId,
        Map<String, List<String>> extras,
        Optional<Secret> tokenSecret,
        Optional<String> accountName) {

    public TokenGrant {
        tokenSecret = tokenSecret == null ? Optional.empty() : tokenSecret;
        accountName = accountName == null ? Optional.empty() : accountName;
    }

    /** An OAuth 2 grant: no token secret. */
    public TokenGrant(Secret accessToken, Optional<Secret> refreshToken, Optional<Instant> expiresAt,
                      Optional<Instant> refreshExpiresAt, String tokenKind, List<String> scopes,
                      Optional<String> accountId, Map<String, List<String>> extras) {
        this(accessToken, refreshToken, expiresAt, refreshExpiresAt, tokenKind, scopes, accountId, extras,
                Optional.empty(), Optional.empty());
    }
}
