package io.cmis.platform.webhooks;

/** The inbox could not commit: the sender must be told to try again (503), never 200. */
public final class InboxUnavailableException extends RuntimeException {
    public InboxUnavailableException(String message) {
        super(message);
    }
}
