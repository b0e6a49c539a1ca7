package io.cmis.platform.tokens;

import java.sql.SQLException;

/** Recognizes a lock that was not granted in time (or a deadlock the server broke): the work may be tried again. */
final class LockWait {
    private static final String LOCK_NOT_AVAILABLE = "55P03";
    private static final String DEADLOCK_DETECTED = "40P01";

    private LockWait() {
    }

    static boolean gaveUp(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException sql && (LOCK_NOT_AVAILABLE.equals(sql.getSQLState())
                    || DEADLOCK_DETECTED.equals(sql.getSQLState()))) {
                return true;
            }
        }
        return false;
    }
}
