package io.cmis.platform.health;

import io.cmis.platform.config.AppConfig;
import io.cmis.platform.config.ConfigException;

import java.time.Duration;

/** The {@code health.*} thresholds. */
public record HealthSettings(Duration expiringWithin, int failedCallsWarning, double retrySuccessCritical,
                             Duration oldestQueuedCritical, double rateLimitWarningPct, Duration reminderInterval) {

    public static HealthSettings from(AppConfig config) {
        return new HealthSettings(config.duration("health.expiring-within"),
                config.positiveInt("health.failed-calls-warning", 1_000_000),
                fraction(config, "health.retry-success-critical"),
                config.duration("health.oldest-queued-critical"),
                100 * fraction(config, "health.rate-limit-warning"),
                config.duration("health.reminder-interval"));
    }

    private static double fraction(AppConfig config, String key) {
        String raw = config.value(key).trim();
        try {
            double value = raw.endsWith("%") ? Double.parseDouble(raw.substring(0, raw.length() - 1)) / 100
                    : Double.parseDouble(raw);
            if (value < 0 || value > 1) {
                throw new NumberFormatException();
            }
            return value;
        } catch (NumberFormatException e) {
            throw new ConfigException(key + ": '" + raw + "' must be a fraction from 0 to 1 or a percentage (90%)");
        }
    }
}
