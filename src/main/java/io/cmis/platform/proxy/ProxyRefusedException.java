package io.cmis.platform.proxy;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The proxy itself answers instead of the platform, with a stable {@code code} (the API's error codes:
 * {@code not_found}, {@code path_not_allowed}, {@code method_not_allowed}, {@code invalid_request}, {@code reconnect_required},
 * {@code rate_limited}, {@code breaker_open}, {@code too_large}, {@code platform_timeout},
 * {@code platform_unreachable}, {@code refresh_unavailable}), the HTTP status it is answered with, the
 * outcome for {@code X-Cmis-Outcome} (null for a request that is wrong in itself) and when to try again.
 */
public final class ProxyRefusedException extends RuntimeException {
    private final int status;
    private final String code;
    private final String outcome;
    private final Optional<Duration> retryAfter;
    private final List<String> allow;

    ProxyRefusedException(int status, String code, String outcome, String message, Optional<Duration> retryAfter) {
        this(status, code, outcome, message, retryAfter, List.of());
    }

    private ProxyRefusedException(int status, String code, String outcome, String message, Optional<Duration> retryAfter,
                                  List<String> allow) {
        super(message, null, false, false);
        this.status = status;
        this.code = code;
        this.outcome = outcome;
        this.retryAfter = retryAfter;
        this.allow = List.copyOf(allow);
    }

    /** 405 {@code method_not_allowed}, naming in one line (and in {@code Allow}) the methods that pass. */
    static ProxyRefusedException methodNotAllowed(String why, List<String> allowed) {
        return new ProxyRefusedException(405, "method_not_allowed", null, why + "; the methods passed on here are "
                + String.join(", ", allowed), Optional.empty(), allowed);
    }

    static ProxyRefusedException of(int status, String code, String message) {
        return new ProxyRefusedException(status, code, null, message, Optional.empty());
    }

    static ProxyRefusedException notFound() {
        return of(404, "not_found", "no such resource");
    }

    static ProxyRefusedException pathNotAllowed(String why) {
        return of(400, "path_not_allowed", "the path is refused: " + why);
    }

    public int status() {
        return status;
    }

    public String code() {
        return code;
    }

    public Optional<String> outcome() {
        return Optional.ofNullable(outcome);
    }

    /** For 405: the methods that pass, for the {@code Allow} header (empty otherwise). */
    public List<String> allow() {
        return allow;
    }

    /** Whole seconds, at least 1: what Retry-After says. */
    public Optional<Long> retryAfterSeconds() {
        return retryAfter.map(d -> Math.max(1, (d.toMillis() + 999) / 1000));
    }
}
