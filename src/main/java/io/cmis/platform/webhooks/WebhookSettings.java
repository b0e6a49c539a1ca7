package io.cmis.platform.webhooks;

import io.cmis.platform.config.AppConfig;
import io.cmis.platform.config.ConfigException;
import io.cmis.platform.config.Durations;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** The {@code webhooks.*} settings. */
public record WebhookSettings(Optional<URI> forwardUrl, String forwardSecret, List<Duration> retryBackoff,
                              Duration lease, int batchSize, int workers, Duration retention) {
    /** Workers in one process; 0 (an intake-only {@code serve}) is allowed. */
    public static final int MAX_WORKERS = 64;

    public static WebhookSettings from(AppConfig config) {
        String forward = config.value("webhooks.forward-url").trim();
        Optional<URI> forwardUrl = Optional.empty();
        if (!forward.isEmpty()) {
            try {
                URI uri = URI.create(forward);
                if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme()) || uri.getHost() == null) {
                    throw new IllegalArgumentException();
                }
                forwardUrl = Optional.of(uri);
            } catch (IllegalArgumentException e) {
                throw new ConfigException("webhooks.forward-url: '" + forward + "' is not an http(s) URL");
            }
        }
        String secret = config.value("webhooks.forward-secret");
        if (forwardUrl.isPresent() && secret.isBlank()) {
            throw new ConfigException("webhooks.forward-url is set but webhooks.forward-secret is empty; "
                    + "set a secret so the receiver can check where events come from");
        }
        List<Duration> backoff = new ArrayList<>();
        for (String part : config.value("webhooks.retry-backoff").split(",")) {
            try {
                Duration d = Durations.parse(part.trim());
                if (d.isNegative() || d.isZero()) {
                    throw new IllegalArgumentException("each wait must be positive");
                }
                backoff.add(d);
            } catch (IllegalArgumentException e) {
                throw new ConfigException("webhooks.retry-backoff: " + e.getMessage() + " (e.g. 10s,30s,60s)");
            }
        }
        return new WebhookSettings(forwardUrl, secret, List.copyOf(backoff), config.duration("webhooks.lease"),
                config.positiveInt("webhooks.batch-size", 10_000), config.wholeNumber("webhooks.workers", 0, MAX_WORKERS),
                config.duration("webhooks.retention"));
    }

    /** Attempts in all: the first and one per wait. */
    public int maxAttempts() {
        return retryBackoff.size() + 1;
    }
}
