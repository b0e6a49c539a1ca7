package io.cmis.platform.integrations;

import io.cmis.platform.crypto.Secret;
import io.cmis.platform.tenancy.OrgId;

import java.time.Duration;
import java.util.Optional;

/** An existing token brought over from the prototype by {@code integrations add}. */
public record ImportedToken(
        OrgId org,
        String platform,
        String externalAccountId,
        Secret accessToken,
        Optional<Secret> refreshToken,
        Optional<Duration> expiresIn,
        String tokenKind,
        String accountName) {
}
