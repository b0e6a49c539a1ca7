package io.cmis.platform.platforms;

import io.cmis.platform.crypto.Secret;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Tokens a platform issued, as they should be stored: a rotated refresh token is in here and must
 * be saved in the same transaction as the access token, or the account is lost.
 */
public record TokenGrant(
        Secret accessToken,
        Optional<Secret> refreshToken,
        Optional<Instant> expiresAt,
        Optional<Instant> refreshExpiresAt,
        String tokenKind,
        List<String> scopes,
        Optional<String> accountId,
        Map<String, List<String>> extras) {
}
