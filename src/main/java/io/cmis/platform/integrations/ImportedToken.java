package io.cmis.platform.integrations;

import io.cmis.platform.crypto.Secret;
import io.cmis.platform.tenancy.OrgId;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * An existing token brought over from the prototype by {@code integrations add} or {@code integrations
 * import}. Its expiry is either relative ({@code expiresIn}, counted from when it is stored) or an
 * instant ({@code expiresAt}, as an export of the prototype's table has it), never both.
 */
public record ImportedToken(
        OrgId org,
        String platform,
        String externalAccountId,
        Secret accessToken,
        Optional<Secret> refreshToken,
        Optional<Duration> expiresIn,
        Optional<Instant> expiresAt,
        String tokenKind,
        String accountName,
        List<String> scopes) {

    public ImportedToken {
        if (expiresIn.isPresent() && expiresAt.isPresent()) {
            throw new IllegalArgumentException("an imported token expires in a duration or at an instant, not both");
        }
        scopes = List.copyOf(scopes);
    }

    /** A token as {@code integrations add} takes it: a relative expiry, no scopes known. */
    public ImportedToken(OrgId org, String platform, String externalAccountId, Secret accessToken,
                         Optional<Secret> refreshToken, Optional<Duration> expiresIn, String tokenKind,
                         String accountName) {
        this(org, platform, externalAccountId, accessToken, refreshToken, expiresIn, Optional.empty(), tokenKind,
                accountName, List.of());
    }

    /** When the access token expires, for a token stored at {@code now}; null when it does not. */
    Instant expiry(Instant now) {
        return expiresAt.orElseGet(() -> expiresIn.map(now::plus).orElse(null));
    }

    /** Its scopes as the integrations table keeps them (comma-separated); null when none are known. */
    String scopeColumn() {
        return scopes.isEmpty() ? null : String.join(",", scopes);
    }
}
