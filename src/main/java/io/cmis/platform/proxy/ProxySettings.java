package io.cmis.platform.proxy;

import io.cmis.platform.config.AppConfig;
import io.cmis.platform.config.ConfigException;

import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The proxy's limits: {@code proxy.max-body} (the largest request body passed on, default 10MiB; read
 * whole into memory, so at most {@value #MAX_BODY_CEILING} bytes) and {@code proxy.timeout} (connect
 * and read timeout of one proxied call, default 30s). Validated when the configuration loads.
 */
public record ProxySettings(long maxBody, Duration timeout) {
    static final long MAX_BODY_CEILING = 100L * 1024 * 1024;
    private static final Pattern SIZE = Pattern.compile("(\\d{1,12})\\s*(B|KIB|MIB)?");

    public static ProxySettings from(AppConfig config) {
        return new ProxySettings(size("proxy.max-body", config.value("proxy.max-body")), config.duration("proxy.timeout"));
    }

    static long size(String key, String raw) {
        Matcher m = SIZE.matcher(raw.trim().toUpperCase(Locale.ROOT));
        if (!m.matches()) {
            throw new ConfigException(key + ": '" + raw + "' is not a size (bytes, or with KiB or MiB, e.g. 10MiB)");
        }
        long n = Long.parseLong(m.group(1));
        long bytes = m.group(2) == null || m.group(2).equals("B") ? n : m.group(2).equals("KIB") ? n * 1024 : n * 1024 * 1024;
        if (bytes < 1 || bytes > MAX_BODY_CEILING) {
            throw new ConfigException(key + ": '" + raw + "' must be from 1 byte to 100MiB (bodies are held in memory)");
        }
        return bytes;
    }
}
