package io.cmis.platform.support;

import io.cmis.platform.store.Schema;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.postgres.PostgresPlugin;
import org.postgresql.ds.PGSimpleDataSource;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One real PostgreSQL server for the whole test run. Each test class gets its own database,
 * copied from a migrated template, so tests never see each other's rows and stay fast.
 */
public final class TestPostgres {
    private static final String TEMPLATE = "cmis_template";
    private static final AtomicInteger COUNTER = new AtomicInteger();
    private static EmbeddedPostgres server;

    private TestPostgres() {
    }

    public static synchronized EmbeddedPostgres server() {
        if (server == null) {
            try {
                server = EmbeddedPostgres.builder().start();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            Jdbi admin = Jdbi.create(server.getPostgresDatabase());
            admin.useHandle(h -> h.execute("CREATE DATABASE " + TEMPLATE));
            Schema.migrate(dataSource(TEMPLATE, "postgres"));
        }
        return server;
    }

    /** A new, migrated database; its name. */
    public static String freshDatabase() {
        EmbeddedPostgres pg = server();
        String name = "test_" + COUNTER.incrementAndGet();
        Jdbi.create(pg.getPostgresDatabase()).useHandle(h -> h.execute("CREATE DATABASE " + name + " TEMPLATE " + TEMPLATE));
        return name;
    }

    /** A new database without the schema. */
    public static String emptyDatabase() {
        EmbeddedPostgres pg = server();
        String name = "empty_" + COUNTER.incrementAndGet();
        Jdbi.create(pg.getPostgresDatabase()).useHandle(h -> h.execute("CREATE DATABASE " + name));
        return name;
    }

    public static PGSimpleDataSource dataSource(String database, String user) {
        PGSimpleDataSource ds = new PGSimpleDataSource();
        ds.setServerNames(new String[] {"127.0.0.1"});
        ds.setPortNumbers(new int[] {server().getPort()});
        ds.setDatabaseName(database);
        ds.setUser(user);
        ds.setCurrentSchema(Schema.NAME);
        return ds;
    }

    /** JDBI on the database as the superuser: for test setup and for looking at raw rows. */
    public static Jdbi superuser(String database) {
        return Jdbi.create(dataSource(database, "postgres")).installPlugin(new PostgresPlugin());
    }

    /** The roles the database's migration recorded (every copy of the template has the template's). */
    public static io.cmis.platform.tenancy.InstallationRoles roles(Jdbi jdbi) {
        return jdbi.withHandle(h -> io.cmis.platform.tenancy.InstallationRoles.recorded(h)).orElseThrow();
    }

    public static String jdbcUrl(String database) {
        return "jdbc:postgresql://127.0.0.1:" + server().getPort() + "/" + database;
    }
}
