package io.cmis.platform.tokens;

import io.cmis.platform.config.AppConfig;
import io.cmis.platform.config.ConfigException;
import io.cmis.platform.config.Durations;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code tokens.refresh-before}, {@code tokens.concurrency}, {@code tokens.expiry-warnings}, and how
 * many refreshes a sweep has in hand at once ({@code sweepWorkers}): {@code concurrency} bounds the
 * refresh calls in flight to the platforms; each refresh also locks its row before its call and
 * stores the new tokens after it, and up to half as many refreshes again do that database work
 * while the others' calls are in flight, as {@code database.pool-size} allows (one connection each,
 * two kept for the rest of the process).
 */
public record TokenSettings(Duration refreshBefore, int concurrency, List<Duration> expiryWarnings, int sweepWorkers) {
    public TokenSettings(Duration refreshBefore, int concurrency, List<Duration> expiryWarnings) {
        this(refreshBefore, concurrency, expiryWarnings, concurrency);
    }

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
        int concurrency = config.positiveInt("tokens.concurrency", 64);
        int workers = Math.max(concurrency, Math.min(concurrency + (concurrency + 1) / 2,
                config.database().poolSize() - 2));
        return new TokenSettings(config.duration("tokens.refresh-before"), concurrency, List.copyOf(warnings), workers);
    }
}
