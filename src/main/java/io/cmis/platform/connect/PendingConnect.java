package io.cmis.platform.connect;

import java.time.Instant;
import java.util.UUID;

/** A connect flow as stored in {@code oauth_states}: its org, platform, redirect URI and encrypted verifier. */
record PendingConnect(UUID id, UUID orgId, String platform, String tokenKind, String redirectUri, String scopes,
                      String verifierEnc, Instant expiresAt, Instant usedAt) {
}
