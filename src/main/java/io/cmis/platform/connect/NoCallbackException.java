package io.cmis.platform.connect;

/**
 * A browser flow asked for a platform none of whose redirect URIs is serve's callback (the only place
 * the browser's cookie is checked): nothing is started.
 */
public final class NoCallbackException extends ConnectException {
    NoCallbackException(String message) {
        super(message);
    }
}
