package io.cmis.platform.config;

import io.cmis.platform.crypto.Keyring;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The effective configuration, validated once when loaded. Typed sections for what the tool uses
 * now; {@link #value(String)} for the rest, which later capabilities parse into their own types.
 */
public final class AppConfig {
    private final Map<String, ConfigValue> values;
    private final List<String> unknownVariables;
    private final DatabaseSettings database;
    private final Path dataDir;
    private final Optional<Keyring> keyring;
    private final LogSettings log;
    private final Duration httpTimeout;

    private AppConfig(Map<String, ConfigValue> values, List<String> unknownVariables) {
        this.values = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(values));
        this.unknownVariables = List.copyOf(unknownVariables);
        this.database = DatabaseSettings.from(this);
        this.dataDir = parseDataDir(value("data.dir"));
        this.keyring = parseKeyring(value("encryption.keys"));
        this.log = LogSettings.from(this);
        this.httpTimeout = duration("http.timeout");
        // Checked here, not when a connect flow needs it: serve must not start with an allow-list it cannot read.
        io.cmis.platform.connect.ReturnUrls.parse(value(io.cmis.platform.connect.ReturnUrls.KEY));
        io.cmis.platform.proxy.ProxySettings.from(this);
    }

    static AppConfig from(Map<String, ConfigValue> values, List<String> unknownVariables) {
        return new AppConfig(values, unknownVariables);
    }

    public String value(String key) {
        ConfigValue v = values.get(key);
        if (v == null) {
            throw new IllegalArgumentException("no such configuration key: " + key);
        }
        return v.value();
    }

    /** All settings in the order of the defaults file, for {@code config show}. */
    public Collection<ConfigValue> all() {
        return values.values();
    }

    public List<String> unknownVariables() {
        return unknownVariables;
    }

    public DatabaseSettings database() {
        return database;
    }

    public Path dataDir() {
        return dataDir;
    }

    public Optional<Keyring> keyring() {
        return keyring;
    }

    public LogSettings log() {
        return log;
    }

    public Duration httpTimeout() {
        return httpTimeout;
    }

    public Duration duration(String key) {
        try {
            Duration d = Durations.parse(value(key));
            if (d.isZero() || d.isNegative()) {
                throw new IllegalArgumentException("it must be positive");
            }
            return d;
        } catch (IllegalArgumentException e) {
            throw new ConfigException(key + ": " + e.getMessage());
        }
    }

    public int positiveInt(String key, int max) {
        return wholeNumber(key, 1, max);
    }

    /** A whole number from {@code min} to {@code max}; anything else is one line naming the key and the range. */
    public int wholeNumber(String key, int min, int max) {
        String raw = value(key);
        try {
            int n = Integer.parseInt(raw);
            if (n < min || n > max) {
                throw new NumberFormatException();
            }
            return n;
        } catch (NumberFormatException e) {
            throw new ConfigException(key + ": '" + raw + "' must be a whole number from " + min + " to " + max);
        }
    }

    private static Path parseDataDir(String raw) {
        if (raw.isBlank()) {
            throw new ConfigException("data.dir is empty; set it to a writable directory (default ~/.cmis-platform)");
        }
        String expanded = raw.startsWith("~") ? System.getProperty("user.home") + raw.substring(1) : raw;
        try {
            return Path.of(expanded).toAbsolutePath().normalize();
        } catch (InvalidPathException e) {
            throw new ConfigException("data.dir: '" + raw + "' is not a valid path");
        }
    }

    private static Optional<Keyring> parseKeyring(String raw) {
        if (raw.isBlank()) {
            return Optional.empty();
        }
        try {
            return Optional.of(Keyring.parse(raw));
        } catch (IllegalArgumentException e) {
            throw new ConfigException("encryption.keys: " + e.getMessage()
                    + " (make a key with: openssl rand -base64 32)");
        }
    }
}
