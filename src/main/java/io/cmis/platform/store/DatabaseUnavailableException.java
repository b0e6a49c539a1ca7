package io.cmis.platform.store;

/** The database cannot be reached or used; the message says which and what to check. */
public class DatabaseUnavailableException extends RuntimeException {
    public DatabaseUnavailableException(String message) {
        super(message);
    }
}
