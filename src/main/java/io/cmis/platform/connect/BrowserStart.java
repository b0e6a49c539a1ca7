package io.cmis.platform.connect;

import io.cmis.platform.crypto.Secret;

import java.net.URI;
import java.time.Duration;

/**
 * A start link just opened: send the browser to {@code authorizationUrl} with the cookie
 * {@code cookieName=binding} (HttpOnly, SameSite=Lax, Secure when the redirect URI is https), which
 * serve's callback will require.
 */
public record BrowserStart(URI authorizationUrl, String cookieName, Secret binding, Duration maxAge, boolean secure) {
}
