package io.cmis.platform.platforms;

import java.time.Duration;

/** The platform (or our own record of it) says wait; {@link #retryAfter()} says how long. */
public class RateLimitExceededException extends PlatformException {
    private final Duration retryAfter;
    private final String scope;

    public RateLimitExceededException(String platform, String endpoint, String errorCode, String scope,
                                      Duration retryAfter, String message) {
        super(platform, endpoint, errorCode, message + "; retry after " + retryAfter.toSeconds() + "s");
        this.retryAfter = retryAfter;
        this.scope = scope;
    }

    public Duration retryAfter() {
        return retryAfter;
    }

    /** What is limited: {@code app}, or one ad account or page. */
    public String scope() {
        return scope;
    }

    @Override
    public String outcome() {
        return "rate_limited";
    }
}
