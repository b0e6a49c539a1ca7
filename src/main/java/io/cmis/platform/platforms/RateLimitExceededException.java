package io.cmis.platform.platforms;

import java.time.Duration;
import java.util.Comparator;
import java.util.List;

/**
 * The platform (or our own record of it) says wait. {@link #limits()} says on which scopes and for
 * how long: the narrowest the platform's answer names, so that everything else goes on.
 */
public class RateLimitExceededException extends PlatformException {
    /**
     * One scope to hold back. {@code maxDuration} longer than {@code duration}: the wait doubles while the
     * limit keeps coming back, up to it (limits whose window the platform does not say).
     */
    public record Limit(String scope, Duration duration, Duration maxDuration) {
        public static Limit fixed(String scope, Duration duration) {
            return new Limit(scope, duration, duration);
        }

        public boolean grows() {
            return maxDuration.compareTo(duration) > 0;
        }
    }

    private final List<Limit> limits;
    private final String platformMessage;

    public RateLimitExceededException(String platform, String endpoint, String errorCode, String scope,
                                      Duration retryAfter, String message) {
        this(platform, endpoint, errorCode, List.of(Limit.fixed(scope, retryAfter)), message);
    }

    public RateLimitExceededException(String platform, String endpoint, String errorCode, List<Limit> limits,
                                      String message) {
        super(platform, endpoint, errorCode, message + "; " + describe(limits));
        if (limits.isEmpty()) {
            throw new IllegalArgumentException("a rate limit names at least one scope");
        }
        this.limits = List.copyOf(limits);
        this.platformMessage = message;
    }

    /** The same answer with the waits actually recorded (a growing limit may wait longer than its first step). */
    public RateLimitExceededException withLimits(List<Limit> recorded) {
        RateLimitExceededException copy = new RateLimitExceededException(platform(), endpoint(), errorCode(), recorded,
                platformMessage);
        orgId().ifPresent(copy::inOrg);
        return copy;
    }

    private static String describe(List<Limit> limits) {
        return limits.isEmpty() ? "" : "limited: " + String.join(", ", limits.stream()
                .map(l -> l.scope() + " for " + l.duration().toSeconds() + "s").toList());
    }

    /** The platform's own words, without the scopes this exception adds to its message. */
    String platformMessage() {
        return platformMessage;
    }

    /** The longest wait of its scopes. */
    public Duration retryAfter() {
        return limits.stream().map(Limit::duration).max(Comparator.naturalOrder()).orElseThrow();
    }

    /** The main scope limited: the first the platform named. */
    public String scope() {
        return limits.get(0).scope();
    }

    public List<Limit> limits() {
        return limits;
    }

    @Override
    public String outcome() {
        return "rate_limited";
    }
}
