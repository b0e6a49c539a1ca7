package io.cmis.platform.platforms.x;

import com.fasterxml.jackson.databind.JsonNode;
import io.cmis.platform.http.PlatformRequest;
import io.cmis.platform.http.PlatformResponse;
import io.cmis.platform.http.RateLimitScopes;
import io.cmis.platform.http.ResponseClassifier;
import io.cmis.platform.platforms.ConfigurationPlatformException;
import io.cmis.platform.platforms.PermanentPlatformException;
import io.cmis.platform.platforms.PlatformException;
import io.cmis.platform.platforms.RateLimitExceededException;
import io.cmis.platform.platforms.RateLimitExceededException.Limit;
import io.cmis.platform.platforms.ReauthRequiredException;
import io.cmis.platform.platforms.TransientPlatformException;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The Ads API's error rules. The HTTP status decides first, because some errors come back as HTML
 * (a 404, a front end's 503); then {@code errors[].code}, read from both the Ads envelope (a word
 * such as {@code TOO_MANY_REQUESTS}) and the legacy one (a number such as 89).
 */
final class XClassifier implements ResponseClassifier {
    /** 403 codes that no retry and no reconnect of this user fixes: the app itself is not allowed. */
    static final Set<String> APP_NOT_APPROVED = Set.of("UNAUTHORIZED_CLIENT_APPLICATION",
            "INSUFFICIENT_USER_AUTHORIZED_PERMISSION");
    /** A 429 without a usable reset header waits this long on the endpoint (X's windows are 15 minutes). */
    static final Duration DEFAULT_WAIT = Duration.ofMinutes(15);

    private final Clock clock;

    XClassifier(Clock clock) {
        this.clock = clock;
    }

    @Override
    public Optional<PlatformException> classify(PlatformRequest request, PlatformResponse response) {
        int status = response.status();
        if (response.success()) {
            if (!response.isJson()) {
                return Optional.of(new TransientPlatformException(XConnector.ID, request.endpoint(), "not_json",
                        "HTTP " + status + " without a JSON body"));
            }
            return Optional.empty();
        }
        String code = code(response.json()).orElse(String.valueOf(status));
        String message = "HTTP " + status + " " + code;
        if (status == 401) {
            // X tokens never expire: a refused one was revoked by the user, or minted before the app's
            // Ads approval and must be regenerated. Either way only a reconnect helps.
            return Optional.of(new ReauthRequiredException(XConnector.ID, request.endpoint(), code,
                    "the token was refused (" + code + "): revoked in the user's X settings, or issued before "
                            + "the app's Ads API approval; connect the account again"));
        }
        if (status == 403 && APP_NOT_APPROVED.contains(code)) {
            return Optional.of(new ConfigurationPlatformException(XConnector.ID, request.endpoint(), code,
                    "the X app is not allowed to use the Ads API (" + code + "): apply through the Ads API Access "
                            + "Form, then reconnect so the token is issued after the approval"));
        }
        if (status == 429) {
            return Optional.of(new RateLimitExceededException(XConnector.ID, request.endpoint(), code,
                    limits(request, response), message));
        }
        // 503 OVER_CAPACITY is X being busy, not a rate limit; 408/423 are transient for reads.
        if (status >= 500 || status == 408 || status == 423) {
            return Optional.of(new TransientPlatformException(XConnector.ID, request.endpoint(), code, message));
        }
        return Optional.of(new PermanentPlatformException(XConnector.ID, request.endpoint(), code, message));
    }

    /**
     * The ad account's own window when X sent one, else this endpoint for this user's token, each
     * until its {@code -reset} (epoch seconds).
     */
    private List<Limit> limits(PlatformRequest request, PlatformResponse response) {
        Instant now = clock.instant();
        List<Limit> limits = new ArrayList<>();
        Optional<Duration> account = until(response, "x-account-rate-limit-reset", now);
        boolean accountLimited = account.isPresent() && !request.declaredScopes().isEmpty();
        if (accountLimited) {
            limits.add(Limit.fixed(request.declaredScopes().get(0), account.get()));
        }
        if (!accountLimited || userQuotaSpent(response)) {
            limits.add(Limit.fixed(request.callScope(),
                    until(response, "x-rate-limit-reset", now).orElse(DEFAULT_WAIT)));
        }
        return limits;
    }

    private static boolean userQuotaSpent(PlatformResponse response) {
        return response.header("x-rate-limit-remaining").map(String::trim).filter("0"::equals).isPresent();
    }

    private static Optional<Duration> until(PlatformResponse response, String header, Instant now) {
        return response.header(header).flatMap(value -> {
            try {
                long epoch = Long.parseLong(value.trim());
                Duration wait = Duration.between(now, Instant.ofEpochSecond(epoch));
                return Optional.of(wait.isNegative() || wait.isZero() ? Duration.ofSeconds(1) : wait);
            } catch (NumberFormatException e) {
                return Optional.empty();
            }
        });
    }

    /** The first {@code errors[].code}, a word (Ads API) or a number (legacy gateway). */
    static Optional<String> code(JsonNode body) {
        JsonNode first = body.path("errors").path(0);
        JsonNode code = first.path("code");
        return code.isMissingNode() || code.isNull() || code.asText().isBlank()
                ? Optional.empty() : Optional.of(code.asText().trim());
    }
}
