package io.cmis.platform.connect;

import java.time.Instant;
import java.util.UUID;

/**
 * A connect flow as stored in {@code oauth_states}: its org, platform, redirect URI and encrypted
 * PKCE verifier (OAuth 2) or request token secret (OAuth 1.0a).
 */
record PendingConnect(UUID id, UUID orgId, String platform, String tokenKind, String redirectUri, String scopes,
                      String verifierEnc, String requestTokenSecretEnc, Instant expiresAt, Instant usedAt) {
}
