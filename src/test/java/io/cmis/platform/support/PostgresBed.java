package io.cmis.platform.support;

import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.postgres.PostgresPlugin;

import javax.sql.DataSource;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One of the two servers the role and catalog tests run on: the embedded one (a recent PostgreSQL)
 * or the production bed (Debian's PostgreSQL 15, passwords). Roles made here log in with a password
 * on both; the embedded server trusts loopback and ignores it.
 */
public record PostgresBed(String name, boolean production) {
    private static final AtomicInteger COUNTER = new AtomicInteger();
    public static final String PASSWORD = "bed-pw-" + Long.toHexString(System.nanoTime());

    public static PostgresBed embedded() {
        return new PostgresBed("embedded", false);
    }

    public static PostgresBed postgres15() {
        return new PostgresBed("PostgreSQL 15", true);
    }

    public static PostgresBed of(boolean production) {
        return production ? postgres15() : embedded();
    }

    public Jdbi superuser(String database) {
        return production ? ProductionPostgres.get().superuser(database) : TestPostgres.superuser(database);
    }

    /** A connection as {@code user} (made by {@link #createRole}) to {@code database}. */
    public DataSource dataSource(String database, String user) {
        if (production) {
            return ProductionPostgres.get().dataSource(database, user, PASSWORD);
        }
        org.postgresql.ds.PGSimpleDataSource ds = TestPostgres.dataSource(database, user);
        ds.setCurrentSchema(null);
        return ds;
    }

    /** The JDBC URL of {@code database}, directly (no pooler). */
    public String url(String database) {
        return production ? ProductionPostgres.get().directUrl(database) : TestPostgres.jdbcUrl(database);
    }

    public Jdbi as(String database, String user) {
        return Jdbi.create(dataSource(database, user)).installPlugin(new PostgresPlugin());
    }

    /** A unique name for a role or database of this test run. */
    public String unique(String stem) {
        return stem + "_" + ProcessHandle.current().pid() + "_" + COUNTER.incrementAndGet();
    }

    /** A login role with the bed's password and the given attributes ("CREATEROLE", "" ...). */
    public void createRole(String role, String attributes) {
        superuser("postgres").useHandle(h -> h.execute("CREATE ROLE " + role + " LOGIN " + attributes
                + " PASSWORD '" + PASSWORD + "'"));
    }

    /** An empty database (no schema), owned by {@code owner}. */
    public String createDatabase(String owner) {
        String name = unique("inst");
        superuser("postgres").useHandle(h -> h.execute("CREATE DATABASE " + name + " OWNER " + owner));
        return name;
    }

    @Override
    public String toString() {
        return name;
    }
}
