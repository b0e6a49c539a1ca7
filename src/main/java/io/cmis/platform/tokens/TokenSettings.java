package io.cmis.platform.tokens;

import io.cmis.platform.config.AppConfig;
import io.cmis.platform.config.ConfigException;
import io.cmis.platform.config.Durations;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** {@code tokens.refresh-before}, {@code tokens.concurrency}, {@code tokens.expiry-warnings}. */
public record TokenSettings(Duration refreshBefore, int concurrency, List<Duration> expiryWarnings) {
    public static TokenSettings from(AppConfig config) {
        List<Duration> warnings = new ArrayList<>();
        for (String part : config.value("tokens.expiry-warnings").split(",")) {
            if (!part.isBlank()) {
                try {
                    warnings.add(Durations.parse(part));
                } catch (IllegalArgumentException e) {
                    throw new ConfigException("tokens.expiry-warnings: " + e.getMessage());
                }
            }
        }
        warnings.sort(java.util.Comparator.reverseOrder());
        return new TokenSettings(config.duration("tokens.refresh-before"), config.positiveInt("tokens.concurrency", 64),
                List.copyOf(warnings));
    }
}
