package io.cmis.platform.http;

import io.cmis.platform.crypto.Secret;

import java.net.URI;

/**
 * Authenticates a request by signing it, in place of a bearer token (X: OAuth 1.0a). The guarded
 * path calls it once per attempt, just before sending, so a retry goes out with a fresh nonce and
 * timestamp, and it sees the request exactly as it is sent.
 */
@FunctionalInterface
public interface RequestSigner {
    /**
     * The {@code Authorization} header value for this method, URL (with its query, as sent) and
     * body; {@code contentType} and {@code body} are null when the request has no body.
     */
    Secret authorization(String method, URI url, String contentType, String body);
}
