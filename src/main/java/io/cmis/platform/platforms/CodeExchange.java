package io.cmis.platform.platforms;

import io.cmis.platform.crypto.Secret;

import java.util.Optional;
import java.util.UUID;

/**
 * The code the platform returned to the redirect URI, with what is needed to redeem it. In an
 * OAuth 1.0a flow the code is the {@code oauth_verifier} and {@code requestToken} is the request
 * token of the first leg; for OAuth 2 it is empty.
 */
public record CodeExchange(Secret code, String redirectUri, Optional<Secret> codeVerifier, String tokenKind, UUID orgId,
                           Optional<RequestToken> requestToken) {
    public CodeExchange {
        requestToken = requestToken == null ? Optional.empty() : requestToken;
    }

    /** An OAuth 2 code exchange. */
    public CodeExchange(Secret code, String redirectUri, Optional<Secret> codeVerifier, String tokenKind, UUID orgId) {
        this(code, redirectUri, codeVerifier, tokenKind, orgId, Optional.empty());
    }
}
