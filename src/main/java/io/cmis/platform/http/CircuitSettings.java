package io.cmis.platform.http;

import io.cmis.platform.config.AppConfig;

import java.time.Duration;

/** Breaker tuning: {@code circuit.failure-threshold}, {@code circuit.open-wait}, {@code circuit.half-open-successes}. */
public record CircuitSettings(int failureThreshold, Duration openWait, int halfOpenSuccesses) {
    public static final int DEFAULT_FAILURE_THRESHOLD = 5;
    public static final Duration DEFAULT_OPEN_WAIT = Duration.ofSeconds(60);
    public static final int DEFAULT_HALF_OPEN_SUCCESSES = 2;

    public static CircuitSettings defaults() {
        return new CircuitSettings(DEFAULT_FAILURE_THRESHOLD, DEFAULT_OPEN_WAIT, DEFAULT_HALF_OPEN_SUCCESSES);
    }

    public static CircuitSettings from(AppConfig config) {
        return new CircuitSettings(config.positiveInt("circuit.failure-threshold", 1000),
                config.duration("circuit.open-wait"), config.positiveInt("circuit.half-open-successes", 100));
    }
}
