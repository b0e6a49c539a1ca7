package io.cmis.platform.store;

import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.util.Optional;

/**
 * Recognises a failure that is the database going away mid-run (a restart, a failover, a dropped
 * connection) rather than a bug: a command then says so in one line and exits 1, and its next run
 * finishes the job, because every unit of work is one transaction that either committed or did not.
 */
public final class DatabaseOutage {
    private static final String HIKARI_CLOSED = "Connection is closed";

    private DatabaseOutage() {
    }

    /** For a warning in the log: the outage in plain words, else the failure's own message. */
    public static String describe(Throwable failure) {
        return of(failure).map(o -> "the database is unavailable (" + o + ")")
                .orElseGet(() -> String.valueOf(failure.getMessage()));
    }

    /** The driver's words for the outage, when {@code failure} is one. */
    public static Optional<String> of(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof SQLTransientConnectionException) {
                return Optional.of(firstLine(t));
            }
            if (t instanceof SQLException sql && sql.getSQLState() != null
                    // 08: connection exceptions; 57P01-57P03: shutdown, crash, cannot connect now.
                    && (sql.getSQLState().startsWith("08") || sql.getSQLState().startsWith("57P"))) {
                return Optional.of(firstLine(t));
            }
            if (t instanceof DatabaseUnavailableException) {
                return Optional.of(firstLine(t));
            }
            if (t instanceof SQLException && HIKARI_CLOSED.equals(t.getMessage())) {
                // The pool closed a connection the driver had found broken; the driver's error came first.
                return Optional.of("the connection was lost");
            }
        }
        return Optional.empty();
    }

    private static String firstLine(Throwable t) {
        String text = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage().strip();
        return text.lines().findFirst().orElse(text);
    }
}
