package io.cmis.platform.config;

import java.util.Optional;

/** Where the database is: an external server by JDBC URL, or the embedded default when the URL is empty. */
public record DatabaseSettings(Optional<String> url, String user, String password, int poolSize) {
    static final int MAX_POOL_SIZE = 200;

    static DatabaseSettings from(AppConfig config) {
        String url = config.value("database.url");
        if (!url.isEmpty() && !url.startsWith("jdbc:postgresql://")) {
            throw new ConfigException("database.url: '" + redact(url)
                    + "' is not a PostgreSQL JDBC URL; write jdbc:postgresql://HOST:PORT/DATABASE");
        }
        if (!url.isEmpty() && org.postgresql.Driver.parseURL(url, null) == null) {
            throw new ConfigException("database.url: '" + redact(url)
                    + "' is not a valid PostgreSQL JDBC URL (check host, port and database name)");
        }
        return new DatabaseSettings(url.isEmpty() ? Optional.empty() : Optional.of(url),
                config.value("database.user"), config.value("database.password"),
                config.positiveInt("database.pool-size", MAX_POOL_SIZE));
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
        return "DatabaseSettings[url=" + url.map(DatabaseSettings::redact).orElse("embedded") + ", user=" + user + "]";
    }
}
