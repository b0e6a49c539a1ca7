package io.cmis.platform.store;

/** The database schema is not the one this build expects: not migrated yet, or migrated by a newer build. */
public class SchemaMismatchException extends RuntimeException {
    public SchemaMismatchException(String message) {
        super(message);
    }
}
