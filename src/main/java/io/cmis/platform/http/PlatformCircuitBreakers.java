package io.cmis.platform.http;

import io.cmis.platform.store.DatabaseOutage;
import io.cmis.platform.platforms.CircuitOpenException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.circuitbreaker.event.CircuitBreakerOnStateTransitionEvent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * One resilience4j breaker per platform, whose state outlives the process: every transition is
 * written to {@code circuit_breakers}, and a breaker is brought up to date from there when first
 * used and every {@link #RESYNC} after. A cron run that opened a breaker leaves it open for the
 * next run, which then makes no call until the wait has passed.
 *
 * <p>Semantics: opens after {@code failureThreshold} transient failures in a row; half-open after
 * the wait; closes after {@code halfOpenSuccesses} successes; any failure while half-open opens it again.
 */
public final class PlatformCircuitBreakers {
    static final Duration RESYNC = Duration.ofSeconds(5);
    private static final Logger log = LoggerFactory.getLogger(PlatformCircuitBreakers.class);

    private final CircuitBreakerStore store;
    private final CircuitSettings settings;
    private final Clock clock;
    private final Map<String, Entry> breakers = new ConcurrentHashMap<>();

    private static final class Entry {
        final CircuitBreaker breaker;
        volatile Instant syncedAt = Instant.MIN;
        volatile boolean syncing;
        volatile String lastFailure;
        /** Failures in a row counted in the database, as last seen; 0 means nothing to reset. */
        volatile int sharedFailures = -1;

        Entry(CircuitBreaker breaker) {
            this.breaker = breaker;
        }
    }

    public PlatformCircuitBreakers(CircuitBreakerStore store, CircuitSettings settings, Clock clock) {
        this.store = store;
        this.settings = settings;
        this.clock = clock;
    }

    /** Throws {@link CircuitOpenException} when the platform's breaker does not allow a call now. */
    public void acquire(String platform, String endpoint) {
        Entry entry = entry(platform);
        if (!entry.breaker.tryAcquirePermission()) {
            throw new CircuitOpenException(platform, endpoint, openUntil(platform).orElse(clock.instant()));
        }
    }

    public void success(String platform, Duration took) {
        Entry entry = entry(platform);
        entry.breaker.onSuccess(took.toNanos(), TimeUnit.NANOSECONDS);
        if (entry.sharedFailures != 0) {
            try {
                store.clearFailures(platform);
                entry.sharedFailures = 0;
            } catch (RuntimeException e) {
                log.warn("could not reset the {} failure count: {}", platform, DatabaseOutage.describe(e));
            }
        }
    }

    /** A transient failure: counts toward opening; while half-open, opens at once. */
    public void failure(String platform, Duration took, Throwable error) {
        Entry entry = entry(platform);
        entry.lastFailure = error.getMessage();
        boolean wasHalfOpen = entry.breaker.getState() == CircuitBreaker.State.HALF_OPEN;
        entry.breaker.onError(took.toNanos(), TimeUnit.NANOSECONDS, error);
        if (wasHalfOpen && entry.breaker.getState() == CircuitBreaker.State.HALF_OPEN) {
            entry.breaker.transitionToOpenState();
        }
        if (entry.breaker.getState() == CircuitBreaker.State.CLOSED) {
            // Failures of earlier runs count too: five cron runs failing once each open the breaker.
            try {
                entry.sharedFailures = store.addFailure(platform, error.getMessage(), clock.instant());
                if (entry.sharedFailures >= settings.failureThreshold()) {
                    entry.breaker.transitionToOpenState();
                }
            } catch (RuntimeException e) {
                log.warn("could not count the {} failure: {}", platform, DatabaseOutage.describe(e));
            }
        }
    }

    public CircuitBreaker.State state(String platform) {
        return entry(platform).breaker.getState();
    }

    /** When an open breaker lets the next (trial) call through, as persisted. */
    public Optional<Instant> openUntil(String platform) {
        return store.find(platform).filter(r -> "open".equals(r.state())).map(CircuitBreakerStore.Row::openUntil);
    }

    private Entry entry(String platform) {
        // A new breaker takes the persisted state before any thread may use it: two threads of a
        // fresh process must not both find it closed while the previous run left it open.
        Entry entry = breakers.computeIfAbsent(platform, p -> {
            Entry created = create(p);
            sync(p, created, clock.instant());
            return created;
        });
        Instant now = clock.instant();
        if (entry.syncedAt.plus(RESYNC).isBefore(now) || entry.syncedAt.isAfter(now)) {
            synchronized (entry) {
                if (entry.syncedAt.plus(RESYNC).isBefore(now) || entry.syncedAt.isAfter(now)) {
                    sync(platform, entry, now);
                }
            }
        }
        return entry;
    }

    private Entry create(String platform) {
        CircuitBreakerConfig config = CircuitBreakerConfig.custom()
                .slidingWindowType(CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
                .slidingWindowSize(settings.failureThreshold())
                .minimumNumberOfCalls(settings.failureThreshold())
                .failureRateThreshold(100)
                .waitDurationInOpenState(settings.openWait())
                .permittedNumberOfCallsInHalfOpenState(settings.halfOpenSuccesses())
                .automaticTransitionFromOpenToHalfOpenEnabled(false)
                .clock(clock)
                .build();
        Entry entry = new Entry(CircuitBreaker.of(platform, config));
        entry.breaker.getEventPublisher().onStateTransition(event -> persist(platform, entry, event));
        return entry;
    }

    /** Brings the in-memory breaker to the state another process may have written. */
    private void sync(String platform, Entry entry, Instant now) {
        entry.syncedAt = now;
        Optional<CircuitBreakerStore.Row> row = store.find(platform);
        if (row.isEmpty()) {
            return;
        }
        CircuitBreaker breaker = entry.breaker;
        String persisted = row.get().state();
        String current = name(breaker.getState());
        if (persisted.equals(current)) {
            return;
        }
        entry.syncing = true;
        try {
            switch (persisted) {
                case "open" -> breaker.transitionToOpenStateUntil(row.get().openUntil());
                // Half-open is reached through an open state whose wait is already over.
                case "half_open" -> breaker.transitionToOpenStateUntil(now.minusMillis(1));
                default -> breaker.transitionToClosedState();
            }
        } finally {
            entry.syncing = false;
        }
    }

    private void persist(String platform, Entry entry, CircuitBreakerOnStateTransitionEvent event) {
        if (entry.syncing) {
            return;
        }
        String to = name(event.getStateTransition().getToState());
        Instant now = clock.instant();
        try {
            store.save(platform, to, "open".equals(to) ? now : null, settings.openWait().toSeconds(),
                    "open".equals(to) ? entry.lastFailure : null, now);
            log.warn("{} circuit breaker: {} -> {}", platform, name(event.getStateTransition().getFromState()), to);
        } catch (RuntimeException e) {
            log.warn("could not persist the {} circuit breaker state: {}", platform, DatabaseOutage.describe(e));
        }
    }

    private static String name(CircuitBreaker.State state) {
        return state.name().toLowerCase(Locale.ROOT);
    }
}
