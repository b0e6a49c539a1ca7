package io.cmis.platform.connect;

/** A connect flow that cannot go on as asked: unknown, used or expired state, a redirect URI not allowed, ... */
public class ConnectException extends RuntimeException {
    public ConnectException(String message) {
        super(message);
    }
}
