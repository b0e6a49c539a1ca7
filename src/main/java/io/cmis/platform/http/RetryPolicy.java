package io.cmis.platform.http;

import java.time.Duration;
import java.util.Optional;
import java.util.random.RandomGenerator;

/**
 * Retries of idempotent reads after transient errors: at most {@code maxAttempts} in all,
 * exponential backoff with full jitter, and a platform's Retry-After honoured (a wait longer than
 * {@code cap} is not worth holding a command for: the error goes up instead).
 */
public record RetryPolicy(int maxAttempts, Duration base, Duration cap, RandomGenerator random, Sleeper sleeper) {
    public static final int DEFAULT_MAX_ATTEMPTS = 3;
    public static final Duration DEFAULT_BASE = Duration.ofMillis(500);
    public static final Duration DEFAULT_CAP = Duration.ofSeconds(10);

    /** Waits; tests pass one that records instead of sleeping. */
    @FunctionalInterface
    public interface Sleeper {
        void sleep(Duration duration) throws InterruptedException;

        Sleeper REAL = d -> Thread.sleep(d.toMillis());
    }

    public static RetryPolicy defaults(RandomGenerator random) {
        return new RetryPolicy(DEFAULT_MAX_ATTEMPTS, DEFAULT_BASE, DEFAULT_CAP, random, Sleeper.REAL);
    }

    /** The wait before attempt {@code attempt + 1}, or empty when retrying is not worth it. */
    public Optional<Duration> delayAfter(int attempt, Optional<Duration> retryAfter) {
        if (attempt >= maxAttempts) {
            return Optional.empty();
        }
        if (retryAfter.isPresent() && retryAfter.get().compareTo(cap) > 0) {
            return Optional.empty();
        }
        long ceiling = Math.min(cap.toMillis(), base.toMillis() << Math.min(20, attempt - 1));
        Duration jittered = Duration.ofMillis(ceiling <= 0 ? 0 : random.nextLong(ceiling + 1));
        return Optional.of(retryAfter.filter(r -> r.compareTo(jittered) > 0).orElse(jittered));
    }
}
