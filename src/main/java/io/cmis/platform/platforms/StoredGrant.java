package io.cmis.platform.platforms;

import io.cmis.platform.crypto.Secret;

import java.time.Instant;
import java.util.Optional;
import java.util.UUID;

/** An integration's current tokens, decrypted for the one call that refreshes or uses them. */
public record StoredGrant(UUID orgId, UUID integrationId, String tokenKind, Secret accessToken,
                          Optional<Secret> refreshToken, Optional<Instant> expiresAt) {
}
