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

    private Database(HikariDataSource dataSource, EmbeddedPostgresServer embedded) {
        this.dataSource = dataSource;
        this.embedded = embedded;
        this.jdbi = Jdbi.create(dataSource).installPlugin(new PostgresPlugin());
    }

    public static Database open(DatabaseSettings settings, Path dataDir) {
        EmbeddedPostgresServer embedded = settings.embedded() ? EmbeddedPostgresServer.acquire(dataDir) : null;
        try {
            HikariConfig config = new HikariConfig();
            config.setPoolName("cmis");
            if (embedded != null) {
                config.setJdbcUrl(embedded.jdbcUrl());
                config.setUsername(embedded.user());
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
            config.setConnectionTimeout(10_000);
            config.setInitializationFailTimeout(1);
            config.setSchema(Schema.NAME);
            config.addDataSourceProperty("ApplicationName", "cmis-platform");
            config.addDataSourceProperty("connectTimeout", "5");
            return new Database(new HikariDataSource(config), embedded);
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
