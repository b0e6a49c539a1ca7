package io.cmis.platform.platforms;

import io.cmis.platform.crypto.Secret;

import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * The integration a data call is made for: its org (for the call log), its token and token kind,
 * the platform account id when known (null before the first identification), and the scopes the
 * platform granted as stored at connect (empty when not known, e.g. an imported token): some
 * discovery needs a scope of its own (Snapchat's Public Profiles). {@code tokenSecret} is present
 * only for OAuth 1.0a tokens (X), where it is half of the key that signs each request.
 */
public record CallContext(UUID orgId, UUID integrationId, String tokenKind, Secret accessToken, String accountId,
                          List<String> scopes, Optional<Secret> tokenSecret) {
    public CallContext {
        scopes = scopes == null ? List.of() : List.copyOf(scopes);
        tokenSecret = tokenSecret == null ? Optional.empty() : tokenSecret;
    }

    /** A bearer-token context (every OAuth 2 platform). */
    public CallContext(UUID orgId, UUID integrationId, String tokenKind, Secret accessToken, String accountId,
                       List<String> scopes) {
        this(orgId, integrationId, tokenKind, accessToken, accountId, scopes, Optional.empty());
    }

    /** A context whose granted scopes are not known. */
    public CallContext(UUID orgId, UUID integrationId, String tokenKind, Secret accessToken, String accountId) {
        this(orgId, integrationId, tokenKind, accessToken, accountId, List.of());
    }
}
