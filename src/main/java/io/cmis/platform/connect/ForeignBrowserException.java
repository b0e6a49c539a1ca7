package io.cmis.platform.connect;

/**
 * A callback arrived in a browser that did not start the flow (no binding cookie, another one, or a
 * flow started on the command line): serve answers 403 and stores nothing.
 */
public final class ForeignBrowserException extends ConnectException {
    ForeignBrowserException(String message) {
        super(message);
    }
}
