package io.cmis.platform.config;

import java.util.Locale;
import java.util.Optional;

/**
 * Where the database is: an external server by JDBC URL, or the embedded default when the URL is
 * empty; what pools connections in front of it; and where migrations connect.
 */
public record DatabaseSettings(Optional<String> url, String user, String password, int poolSize, Pooler pooler,
                               Optional<String> migrationUrl, String migrationUser, String migrationPassword,
                               Optional<String> rolePrefix) {
    static final int MAX_POOL_SIZE = 200;

    /** What sits between the tool and PostgreSQL. */
    public enum Pooler {
        /** A direct connection (or a pooler in session mode): a connection is one server session. */
        NONE,
        /** A pooler in transaction mode: consecutive transactions of one connection may meet different sessions. */
        TRANSACTION
    }

    static DatabaseSettings from(AppConfig config) {
        String url = checkedUrl("database.url", config.value("database.url"));
        String migrationUrl = checkedUrl("database.migration-url", config.value("database.migration-url"));
        String pooler = config.value("database.pooler").trim().toLowerCase(Locale.ROOT);
        Pooler mode = switch (pooler) {
            case "", "none" -> Pooler.NONE;
            case "transaction" -> Pooler.TRANSACTION;
            default -> throw new ConfigException("database.pooler: '" + pooler + "' is not one of none, transaction "
                    + "(transaction: PgBouncer in pool_mode=transaction; none: a direct connection or session mode)");
        };
        if (mode == Pooler.TRANSACTION && url.isEmpty()) {
            throw new ConfigException("database.pooler=transaction needs database.url (the embedded database has no pooler)");
        }
        String prefix = config.value("database.role-prefix").trim();
        String why = prefix.isEmpty() ? null : io.cmis.platform.tenancy.InstallationRoles.prefixProblem(prefix);
        if (why != null) {
            throw new ConfigException("database.role-prefix: " + why);
        }
        return new DatabaseSettings(url.isEmpty() ? Optional.empty() : Optional.of(url),
                config.value("database.user"), config.value("database.password"),
                config.positiveInt("database.pool-size", MAX_POOL_SIZE), mode,
                migrationUrl.isEmpty() ? Optional.empty() : Optional.of(migrationUrl),
                config.value("database.migration-user"), config.value("database.migration-password"),
                prefix.isEmpty() ? Optional.empty() : Optional.of(prefix));
    }

    private static String checkedUrl(String key, String url) {
        if (!url.isEmpty() && !url.startsWith("jdbc:postgresql://")) {
            throw new ConfigException(key + ": '" + redact(url)
                    + "' is not a PostgreSQL JDBC URL; write jdbc:postgresql://HOST:PORT/DATABASE");
        }
        if (!url.isEmpty() && org.postgresql.Driver.parseURL(url, null) == null) {
            throw new ConfigException(key + ": '" + redact(url)
                    + "' is not a valid PostgreSQL JDBC URL (check host, port and database name)");
        }
        return url;
    }

    public boolean embedded() {
        return url.isEmpty();
    }

    /** The URL without its query string, which may carry a password. */
    public static String redact(String url) {
        int q = url.indexOf('?');
        return q < 0 ? url : url.substring(0, q) + "?…";
    }

    @Override
    public String toString() {
        return "DatabaseSettings[url=" + url.map(DatabaseSettings::redact).orElse("embedded") + ", user=" + user
                + ", pooler=" + pooler.name().toLowerCase(Locale.ROOT) + "]";
    }
}
