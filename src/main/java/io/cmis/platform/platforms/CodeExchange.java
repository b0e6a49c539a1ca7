package io.cmis.platform.platforms;

import io.cmis.platform.crypto.Secret;

import java.util.Optional;
import java.util.UUID;

/** The code the platform returned to the redirect URI, with what is needed to redeem it. */
public record CodeExchange(Secret code, String redirectUri, Optional<Secret> codeVerifier, String tokenKind, UUID orgId) {
}
