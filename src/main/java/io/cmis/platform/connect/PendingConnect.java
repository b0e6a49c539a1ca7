package io.cmis.platform.connect;

import java.time.Instant;
import java.util.UUID;

/**
 * A connect flow as stored in {@code oauth_states}: its org, platform, redirect URI and encrypted
 * PKCE verifier (OAuth 2) or request token secret (OAuth 1.0a); {@code browserHash} is set when the
 * flow was started for a browser (the SHA-256 of that browser's binding cookie), {@code startedAt}
 * when its start link was opened; {@code returnTo} is where serve's callback sends that browser back to the
 * application (a flow the application started with a return_to), else null.
 */
record PendingConnect(UUID id, UUID orgId, String platform, String tokenKind, String redirectUri, String scopes,
                      String verifierEnc, String requestTokenSecretEnc, Instant expiresAt, Instant usedAt,
                      String browserHash, Instant startedAt, String returnTo) {
    boolean forBrowser() {
        return browserHash != null;
    }
}
