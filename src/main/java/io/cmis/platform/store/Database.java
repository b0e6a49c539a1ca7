package io.cmis.platform.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.cmis.platform.config.DatabaseSettings;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.postgres.PostgresPlugin;

import javax.sql.DataSource;
import java.nio.file.Path;
import java.sql.SQLException;

/**
 * The connection pool and JDBI for one process: an external server by URL, or the embedded default.
 * Opened only by commands that need the database, so {@code --help} and {@code config show} stay instant.
 */
public final class Database implements AutoCloseable {
    private final HikariDataSource dataSource;
    private final Jdbi jdbi;
    private final EmbeddedPostgresServer embedded;
    private final DatabaseSettings settings;

    private final Jdbi unpooled;

    private Database(HikariDataSource dataSource, EmbeddedPostgresServer embedded, DatabaseSettings settings) {
        this.dataSource = dataSource;
        this.embedded = embedded;
        this.settings = settings;
        this.unpooled = Jdbi.create(unpooledDataSource(dataSource)).installPlugin(new PostgresPlugin());
        this.jdbi = Jdbi.create(dataSource).installPlugin(new PostgresPlugin());
    }

    public static Database open(DatabaseSettings settings, Path dataDir) {
        EmbeddedPostgresServer embedded = settings.embedded() ? EmbeddedPostgresServer.acquire(dataDir) : null;
        try {
            HikariConfig config = new HikariConfig();
            config.setPoolName("cmis");
            if (embedded != null) {
                // Work runs as a role that owns nothing; the superuser only migrates (migrationDataSource).
                String password = EmbeddedRuntimeRole.password(embedded.password());
                EmbeddedRuntimeRole.ensure(superuser(embedded), password);
                config.setJdbcUrl(embedded.jdbcUrl());
                config.setUsername(EmbeddedRuntimeRole.NAME);
                config.setPassword(password);
            } else {
                config.setJdbcUrl(settings.url().orElseThrow());
                if (!settings.user().isEmpty()) {
                    config.setUsername(settings.user());
                }
                if (!settings.password().isEmpty()) {
                    config.setPassword(settings.password());
                }
            }
            config.setMaximumPoolSize(settings.poolSize());
            config.setMinimumIdle(1);
            // A waiting request gives up well inside the 10 s a webhook sender is promised an answer in.
            config.setConnectionTimeout(5_000);
            config.setInitializationFailTimeout(1);
            // No session state: the schema is chosen per transaction (Tenancy), because behind a
            // transaction pooler a session setting would stay on a server connection another client gets next.
            config.addDataSourceProperty("ApplicationName", "cmis-platform");
            config.addDataSourceProperty("connectTimeout", "5");
            // The whole login, also through a pooler that waits for a server that is down.
            config.addDataSourceProperty("loginTimeout", "5");
            config.addDataSourceProperty("tcpKeepAlive", "true");
            if (settings.pooler() == DatabaseSettings.Pooler.TRANSACTION) {
                // Named server-side prepared statements live in one server session; PgBouncer before 1.21
                // hands the next transaction another one ("prepared statement S_1 does not exist").
                config.addDataSourceProperty("prepareThreshold", "0");
            }
            return new Database(new HikariDataSource(config), embedded, settings);
        } catch (RuntimeException e) {
            if (embedded != null) {
                embedded.close();
            }
            throw new DatabaseUnavailableException("cannot connect to the database at " + where(settings, embedded)
                    + ": " + rootMessage(e) + "; check database.url, database.user and database.password");
        }
    }

    public Jdbi jdbi() {
        return jdbi;
    }

    public DataSource dataSource() {
        return dataSource;
    }

    public boolean embedded() {
        return embedded != null;
    }

    /** The embedded server, or null; for tests of its logins. */
    EmbeddedPostgresServer embeddedServer() {
        return embedded;
    }

    /**
     * JDBI on connections of their own, outside the pool, for a loop that keeps one connection and
     * must reconnect the moment the database is back (the webhook inbox's committer): after an
     * outage the pool waits up to 5 s between attempts to add a connection, longer than intake may
     * stay refused once the database has returned.
     */
    public Jdbi unpooled() {
        return unpooled;
    }

    private static DataSource unpooledDataSource(HikariDataSource pool) {
        org.postgresql.ds.PGSimpleDataSource direct = new org.postgresql.ds.PGSimpleDataSource();
        direct.setUrl(pool.getJdbcUrl());
        if (pool.getUsername() != null) {
            direct.setUser(pool.getUsername());
        }
        if (pool.getPassword() != null) {
            direct.setPassword(pool.getPassword());
        }
        pool.getDataSourceProperties().forEach((k, v) -> {
            try {
                direct.setProperty(String.valueOf(k), String.valueOf(v));
            } catch (java.sql.SQLException e) {
                throw new IllegalStateException("driver property " + k + ": " + e.getMessage(), e);
            }
        });
        return direct;
    }

    /**
     * Where {@code db migrate} connects: {@code database.migration-url} when set, else database.url
     * directly, as {@code database.migration-user} when set (the owner role: the runtime role owns
     * nothing and cannot migrate), else the pool's user. A migration holds a session (Flyway's lock
     * and schema), which a transaction pooler cannot keep.
     */
    public DataSource migrationDataSource() {
        if (embedded != null) {
            return superuser(embedded);
        }
        boolean owner = embedded == null && !settings.migrationUser().isEmpty();
        if (settings.pooler() == DatabaseSettings.Pooler.TRANSACTION && settings.migrationUrl().isEmpty()) {
            throw new io.cmis.platform.config.ConfigException("db migrate needs a direct connection to PostgreSQL, "
                    + "not the transaction pooler of database.url: set database.migration-url (CMIS_DATABASE_MIGRATION_URL)");
        }
        if (settings.migrationUrl().isEmpty() && !owner) {
            return dataSource;
        }
        org.postgresql.ds.PGSimpleDataSource direct = new org.postgresql.ds.PGSimpleDataSource();
        direct.setUrl(settings.migrationUrl().orElseGet(() -> settings.url().orElseThrow()));
        String user = owner ? settings.migrationUser() : settings.user();
        String password = owner ? settings.migrationPassword() : settings.password();
        if (!user.isEmpty()) {
            direct.setUser(user);
        }
        if (!password.isEmpty()) {
            direct.setPassword(password);
        }
        direct.setApplicationName("cmis-platform migrate");
        direct.setConnectTimeout(5);
        return direct;
    }

    /**
     * Migrates through {@link #migrationDataSource}; on the embedded server the role the work runs as
     * then joins the installation's roles, which the first migration makes.
     */
    public org.flywaydb.core.api.output.MigrateResult migrate(java.util.Optional<String> rolePrefix) {
        org.flywaydb.core.api.output.MigrateResult result = Schema.migrate(migrationDataSource(), rolePrefix);
        if (embedded != null) {
            EmbeddedRuntimeRole.ensure(migrationDataSource(), EmbeddedRuntimeRole.password(embedded.password()));
        }
        return result;
    }

    /** The schema version, read as the role that migrates: on the embedded server the working role sees nothing before the first migration. */
    public java.util.Optional<Integer> schemaVersion() {
        return Schema.currentVersion(embedded != null ? Jdbi.create(migrationDataSource()) : jdbi);
    }

    private static DataSource superuser(EmbeddedPostgresServer embedded) {
        org.postgresql.ds.PGSimpleDataSource direct = new org.postgresql.ds.PGSimpleDataSource();
        direct.setUrl(embedded.jdbcUrl());
        direct.setUser(embedded.user());
        direct.setPassword(embedded.password());
        direct.setApplicationName("cmis-platform migrate");
        direct.setConnectTimeout(5);
        return direct;
    }

    @Override
    public void close() {
        dataSource.close();
        if (embedded != null) {
            embedded.close();
        }
    }

    private static String where(DatabaseSettings settings, EmbeddedPostgresServer embedded) {
        return embedded != null ? embedded.jdbcUrl() : DatabaseSettings.redact(settings.url().orElseThrow());
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
            if (t instanceof SQLException) {
                break;
            }
        }
        String message = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
        return message.lines().findFirst().orElse(message).strip();
    }
}
