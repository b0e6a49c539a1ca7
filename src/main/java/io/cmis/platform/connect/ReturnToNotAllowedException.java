package io.cmis.platform.connect;

/** A return_to that {@code connect.return-urls} does not allow: the flow is not started, nothing is stored. */
public final class ReturnToNotAllowedException extends ConnectException {
    ReturnToNotAllowedException(String message) {
        super(message);
    }
}
