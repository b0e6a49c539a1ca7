package io.cmis.platform.platforms;

import io.cmis.platform.crypto.Secret;

import java.util.UUID;

/**
 * The integration a data call is made for: its org (for the call log), its token and token kind,
 * and the platform account id when known (null before the first identification).
 */
public record CallContext(UUID orgId, UUID integrationId, String tokenKind, Secret accessToken, String accountId) {
}
