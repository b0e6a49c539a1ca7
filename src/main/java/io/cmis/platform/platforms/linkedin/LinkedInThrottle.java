package io.cmis.platform.platforms.linkedin;

import io.cmis.platform.crypto.Secret;
import io.cmis.platform.http.PlatformRequest;
import io.cmis.platform.http.PlatformResponse;
import io.cmis.platform.http.RateLimitScopes;
import io.cmis.platform.platforms.CallContext;
import io.cmis.platform.platforms.RateLimitExceededException;
import io.cmis.platform.platforms.RateLimitExceededException.Limit;
import io.cmis.platform.platforms.Signatures;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a LinkedIn 429 holds back, and for how long. LinkedIn counts two daily quotas per endpoint,
 * one for the whole application and one per member, both reset at 00:00 UTC; the answer's message
 * names the quota and its window ({@code ... APPLICATION_AND_MEMBER DAY limit ...}).
 */
final class LinkedInThrottle {
    static final String MEMBER_SCOPE = "member:";
    /** A window the answer does not name (LinkedIn also throttles to protect itself): short, growing. */
    static final Duration UNNAMED_FIRST_WAIT = Duration.ofSeconds(60);
    static final Duration UNNAMED_MAX_WAIT = Duration.ofMinutes(15);
    private static final Pattern WINDOW = Pattern.compile("\\b(DAY|HOUR|MINUTE|SECOND)\\b");
    private static final Pattern QUOTA = Pattern.compile("\\b(APPLICATION_AND_MEMBER|APPLICATION|MEMBER)\\b");

    private final Clock clock;

    LinkedInThrottle(Clock clock) {
        this.clock = clock;
    }

    Clock clock() {
        return clock;
    }

    /**
     * The member's own quota for one endpoint, declared on every call: the connected member when
     * known, else the integration, else (a connect flow, before either exists) the token itself.
     */
    static String memberScope(CallContext context, String endpoint) {
        String member = context.accountId() != null ? context.accountId()
                : context.integrationId() != null ? "integration:" + context.integrationId()
                : "token:" + tokenHash(context.accessToken());
        return MEMBER_SCOPE + member + ":" + endpoint;
    }

    private static String tokenHash(Secret token) {
        return Signatures.sha256Hex(token.reveal()).substring(0, 16);
    }

    RateLimitExceededException limited(PlatformRequest request, PlatformResponse response, String errorCode,
                                       String message) {
        String scope = scope(request, message);
        Matcher window = WINDOW.matcher(message);
        Limit limit = window.find() ? forWindow(scope, window.group(1), response)
                : retryAfter(response).map(d -> Limit.fixed(scope, d))
                .orElse(new Limit(scope, UNNAMED_FIRST_WAIT, UNNAMED_MAX_WAIT));
        return new RateLimitExceededException(LinkedInConnector.ID, request.endpoint(), errorCode, List.of(limit),
                message);
    }

    /**
     * Only a quota named APPLICATION alone holds back every org (the endpoint, app-wide). A member's
     * quota, and the combined name whose reading is open, hold back this member only: if it was the
     * application's after all, each other member finds out with one refused call of its own, which
     * costs less than stopping every org on a guess.
     */
    private static String scope(PlatformRequest request, String message) {
        Matcher quota = QUOTA.matcher(message);
        if (quota.find() && quota.group(1).equals("APPLICATION")) {
            return RateLimitScopes.endpoint(request.endpoint());
        }
        return request.declaredScopes().stream().filter(s -> s.startsWith(MEMBER_SCOPE)).findFirst()
                .orElse(request.callScope());
    }

    private Limit forWindow(String scope, String window, PlatformResponse response) {
        return switch (window) {
            case "DAY" -> Limit.fixed(scope, untilMidnightUtc());
            case "HOUR" -> Limit.fixed(scope, Duration.ofHours(1));
            case "MINUTE" -> Limit.fixed(scope, Duration.ofMinutes(1));
            default -> retryAfter(response).map(d -> Limit.fixed(scope, d))
                    .orElse(new Limit(scope, Duration.ofSeconds(1), Duration.ofMinutes(1)));
        };
    }

    /** A daily quota starts again at 00:00 UTC, whatever the time zone of anyone involved. */
    private Duration untilMidnightUtc() {
        Instant now = clock.instant();
        Instant midnight = LocalDate.ofInstant(now, ZoneOffset.UTC).plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant();
        return Duration.between(now, midnight);
    }

    /** LinkedIn documents no Retry-After; honoured (up to a minute) when one comes. */
    private static java.util.Optional<Duration> retryAfter(PlatformResponse response) {
        return response.header("retry-after").flatMap(value -> {
            try {
                long seconds = Long.parseLong(value.trim());
                return seconds > 0 ? java.util.Optional.of(Duration.ofSeconds(Math.min(60, seconds)))
                        : java.util.Optional.empty();
            } catch (NumberFormatException e) {
                return java.util.Optional.empty();
            }
        });
    }
}
