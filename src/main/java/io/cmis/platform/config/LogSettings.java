package io.cmis.platform.config;

import java.util.Locale;
import java.util.Set;

/** How the tool logs: {@code text} or {@code json} on stderr, at a level. */
public record LogSettings(String format, String level) {
    private static final Set<String> FORMATS = Set.of("text", "json");
    private static final Set<String> LEVELS = Set.of("error", "warn", "info", "debug", "trace");

    static LogSettings from(AppConfig config) {
        String format = config.value("log.format").toLowerCase(Locale.ROOT);
        if (!FORMATS.contains(format)) {
            throw new ConfigException("log.format: '" + format + "' must be text or json");
        }
        String level = config.value("log.level").toLowerCase(Locale.ROOT);
        if (!LEVELS.contains(level)) {
            throw new ConfigException("log.level: '" + level + "' must be one of error, warn, info, debug, trace");
        }
        return new LogSettings(format, level);
    }

    public boolean json() {
        return format.equals("json");
    }
}
