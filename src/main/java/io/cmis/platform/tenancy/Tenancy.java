package io.cmis.platform.tenancy;

import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.HandleCallback;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The only two ways to touch tenant data. {@link #inOrg} runs a unit of work in one transaction as
 * the installation's tenant role with the org set transaction-locally: row-level security then shows and
 * accepts that org's rows only. {@link #systemWide} is the named cross-org path (due tokens,
 * webhook routing, health totals, operator listings); every use states its purpose.
 */
public final class Tenancy {
    private static final Logger log = LoggerFactory.getLogger(Tenancy.class);

    /** The schema of every table; set per transaction, never per session. */
    private static final String SCHEMA = io.cmis.platform.store.Schema.NAME;

    private final Jdbi jdbi;

    public Tenancy(Jdbi jdbi) {
        this.jdbi = jdbi;
    }

    /** The installation's roles, read from the database once per {@link Jdbi} (see {@link InstallationRoles}). */
    public InstallationRoles roles() {
        RolesCache cache = jdbi.getConfig(RolesCache.class);
        InstallationRoles roles = cache.roles;
        if (roles == null) {
            roles = jdbi.withHandle(h -> InstallationRoles.recorded(h)).orElseThrow(() -> new IllegalStateException(
                    "the database records no installation roles (schema older than version 11); run 'cmis-platform db migrate'"));
            cache.roles = roles;
        }
        return roles;
    }

    /** Where {@link #roles()} keeps what it read: one per Jdbi, so every Tenancy on it reads once. */
    public static final class RolesCache implements org.jdbi.v3.core.config.JdbiConfig<RolesCache> {
        private volatile InstallationRoles roles;

        public RolesCache() {
        }

        @Override
        public RolesCache createCopy() {
            RolesCache copy = new RolesCache();
            copy.roles = roles;
            return copy;
        }
    }

    public <T> T inOrg(OrgId org, HandleCallback<T, RuntimeException> work) {
        String role = roles().tenant();
        return jdbi.inTransaction(handle -> {
            // One round trip, and all of it transaction-local (set_config(..., true) is SET LOCAL): behind
            // a transaction pooler the next transaction may run on a session another client used, and
            // nothing of ours may stay on it.
            handle.createQuery("SELECT set_config('search_path', :schema, true) AS path, "
                            + "set_config('role', :role, true) AS role, "
                            + "set_config('cmis.org_id', :org, true) AS org")
                    .bind("schema", SCHEMA)
                    .bind("role", role)
                    .bind("org", org.toString())
                    .mapToMap()
                    .one();
            return unit(handle, orgPath(org), work);
        });
    }

    /**
     * One statement for {@code org} in one round trip: the org's path is set by a statement sent in the
     * same message, and without BEGIN or COMMIT the server runs both in one implicit transaction,
     * committed before it answers (extended protocol, one Sync), so nothing stays on the session. For
     * the reads on a request's hot path (the proxy's token): {@link #inOrg} costs three round trips
     * (path, statement, commit), and behind PgBouncer 1.18 each transaction one more (it sends
     * {@code SET DateStyle} before every transaction: the driver's spelling is not the server's).
     * {@code bind} numbers {@code sql}'s parameters from 1; {@code read} gets its rows. {@code sql} may
     * be writes followed by one query, all in the same implicit transaction: {@code read} gets the
     * query's rows (each statement sees what the ones before it committed, as READ COMMITTED does).
     */
    public <T> T inOrgStatement(OrgId org, String sql, Binder bind, Reader<T> read) {
        String path = orgPath(org);
        return jdbi.withHandle(handle -> {
            Unit outer = UNITS.get().peekLast();
            if (outer == null || outer.handle() != handle) {
                return statement(handle, path + ";\n" + sql, bind, read, true);
            }
            // Lent the outer unit's handle, in its transaction: run there (autocommit would commit the
            // outer's work half-way), then give the outer its path back.
            T result = statement(handle, path + ";\n" + sql, bind, read, false);
            handle.createQuery(outer.path()).mapToMap().one();
            return result;
        });
    }

    /**
     * {@link #inOrg} whose first statement is sent with the org's path in one message: a transaction
     * that starts by locking a row (the token sweep's) saves a round trip of the three or more it
     * makes. {@code lead} is that statement ({@code bind} numbers its parameters from 1, {@code read}
     * gets its rows); {@code rest} runs after it in the same transaction.
     */
    public <L, T> T inOrgLedBy(OrgId org, String lead, Binder bind, Reader<L> read,
                                java.util.function.BiFunction<Handle, L, T> rest) {
        String path = orgPath(org);
        return jdbi.inTransaction(handle -> {
            L led = statement(handle, path + ";\n" + lead, bind, read, false);
            return unit(handle, path, h -> rest.apply(h, led));
        });
    }

    /**
     * The org's path as literals, so it can lead a statement of any parameters: the schema is a
     * constant, the role a name InstallationRoles checked to be [a-z][a-z0-9_]*, the org a UUID's own spelling.
     */
    private String orgPath(OrgId org) {
        return "SELECT set_config('search_path', '" + SCHEMA + "', true) AS path, "
                + "set_config('role', '" + roles().tenant() + "', true) AS role, "
                + "set_config('cmis.org_id', '" + org.value() + "', true) AS org";
    }

    /** A unit of work running on this thread: its handle, and the statement that sets its path. */
    private record Unit(Handle handle, String path) {
    }

    /** The units running on this thread, innermost last. */
    private static final ThreadLocal<java.util.ArrayDeque<Unit>> UNITS = ThreadLocal.withInitial(java.util.ArrayDeque::new);

    /**
     * Runs a unit's work, its path already set. Jdbi lends a unit called inside another on the same
     * thread the outer unit's handle, in the outer's transaction (a token refresh's breaker
     * bookkeeping, system-wide, inside the refresh, in its org): the inner unit's path then stayed for
     * the rest of the outer's transaction, which went on as the system role, seeing every org. So
     * the outer's path is set again once the inner unit is done.
     */
    private static <T> T unit(Handle handle, String path, HandleCallback<T, RuntimeException> work) {
        java.util.ArrayDeque<Unit> units = UNITS.get();
        Unit outer = units.peekLast();
        units.addLast(new Unit(handle, path));
        T result;
        try {
            result = work.withHandle(handle);
        } finally {
            units.removeLast();
        }
        if (outer != null && outer.handle() == handle) {
            handle.createQuery(outer.path()).mapToMap().one();
        }
        return result;
    }

    /** {@code implicit}: a transaction of its own (autocommit); otherwise in the handle's open transaction. */
    private static <T> T statement(Handle handle, String sql, Binder bind, Reader<T> read, boolean implicit) {
        try {
            java.sql.Connection connection = handle.getConnection();
            if (implicit && !connection.getAutoCommit()) {
                connection.setAutoCommit(true);
            }
            try (java.sql.PreparedStatement statement = connection.prepareStatement(sql)) {
                bind.bind(statement);
                statement.execute(); // the path's row, then the statement's
                boolean found = statement.getMoreResults();
                while (!found && statement.getUpdateCount() != -1) {
                    found = statement.getMoreResults(); // a write before the read (its count) is passed over
                }
                if (!found) {
                    throw new IllegalStateException("the statement returned no rows: " + sql);
                }
                try (java.sql.ResultSet rows = statement.getResultSet()) {
                    return read.read(rows);
                }
            }
        } catch (java.sql.SQLException e) {
            throw new org.jdbi.v3.core.statement.UnableToExecuteStatementException(e, null);
        }
    }

    public void inOrgDo(OrgId org, java.util.function.Consumer<Handle> work) {
        inOrg(org, handle -> {
            work.accept(handle);
            return null;
        });
    }

    /** Cross-org work, as the installation's system role; {@code purpose} says why, for the debug log. */
    public <T> T systemWide(String purpose, HandleCallback<T, RuntimeException> work) {
        log.debug("system path: {}", purpose);
        String role = roles().system();
        return jdbi.inTransaction(handle -> {
            enterSystemPath(handle, role);
            return unit(handle, systemPath(role), work);
        });
    }

    /**
     * {@link #systemWide} on a connection of its own that is not lent to the units it calls: they run
     * and commit in transactions of their own, as they would called anywhere else. For the webhook
     * workers' batch, which holds its transaction (its row locks are its claim) while each event's
     * effects, in that event's org, commit or fail on their own.
     */
    public <T> T systemWideApart(String purpose, HandleCallback<T, RuntimeException> work) {
        log.debug("system path, apart: {}", purpose);
        String role = roles().system();
        try (Handle own = jdbi.open()) {
            return own.inTransaction(handle -> {
                enterSystemPath(handle, role);
                return unit(handle, systemPath(role), work);
            });
        }
    }

    private static void enterSystemPath(Handle handle, String role) {
        handle.createQuery("SELECT set_config('search_path', :schema, true) AS path, "
                        + "set_config('role', :role, true) AS role")
                .bind("schema", SCHEMA)
                .bind("role", role)
                .mapToMap()
                .one();
    }

    /**
     * The system path on one handle kept by a loop that runs a transaction after another as fast
     * as it can (the webhook inbox's committer): opening a handle per transaction was measured to
     * cost it more than its insert. Each transaction is still the same: role and schema set locally,
     * nothing left on the session. Closed (and opened again) by its owner after a failure.
     */
    public SystemSession systemSession(String purpose) {
        log.debug("system session: {}", purpose);
        String role = roles().system(); // before the session's own connection: a pool of one has no second
        return new SystemSession(jdbi.open(), role);
    }

    /** Sets a statement's parameters. */
    @FunctionalInterface
    public interface Binder {
        void bind(java.sql.PreparedStatement statement) throws java.sql.SQLException;
    }

    /** Reads a statement's rows. */
    @FunctionalInterface
    public interface Reader<T> {
        T read(java.sql.ResultSet rows) throws java.sql.SQLException;
    }

    /**
     * The system path as literals, so it can lead a statement of any parameters: the schema is a
     * constant and the role a name {@link InstallationRoles} checked to be [a-z][a-z0-9_]* when read.
     */
    private static String systemPath(String role) {
        return "SELECT set_config('search_path', '" + SCHEMA + "', true) AS path, "
                + "set_config('role', '" + role + "', true) AS role";
    }

    /** See {@link #systemSession}. */
    public static final class SystemSession implements AutoCloseable {
        private final Handle handle;
        private final String role;
        private final String systemPath;
        private final long openedAt = System.nanoTime();

        private SystemSession(Handle handle, String role) {
            this.handle = handle;
            this.role = role;
            this.systemPath = systemPath(role);
        }

        public <T> T inTransaction(HandleCallback<T, RuntimeException> work) {
            return handle.inTransaction(h -> {
                enterSystemPath(h, role);
                return work.withHandle(h);
            });
        }

        /**
         * One statement in a transaction of its own, in one round trip: the system path is set by a
         * statement sent in the same message, and without BEGIN or COMMIT the server runs both in one
         * implicit transaction, committed before it answers (extended protocol, one Sync). Nothing is
         * left on the session. For the inbox's committer: three round trips per group commit (path,
         * statement, commit) were a measured part of its time. {@code read} gets the statement's rows.
         */
        public <T> T query(String sql, Binder bind, Reader<T> read) {
            return statement(handle, systemPath + ";\n" + sql, bind, read, true);
        }

        /** How long it has been open, so its owner can hand its connection back to the pool now and then. */
        public java.time.Duration age() {
            return java.time.Duration.ofNanos(System.nanoTime() - openedAt);
        }

        @Override
        public void close() {
            handle.close();
        }
    }
}
