package io.cmis.platform.platforms.tiktok;

import com.fasterxml.jackson.databind.JsonNode;
import io.cmis.platform.http.PlatformRequest;
import io.cmis.platform.http.RateLimitScopes;
import io.cmis.platform.platforms.RateLimitExceededException.Limit;
import java.util.List;
import io.cmis.platform.http.PlatformResponse;
import io.cmis.platform.http.ResponseClassifier;
import io.cmis.platform.platforms.PermanentPlatformException;
import io.cmis.platform.platforms.PlatformException;
import io.cmis.platform.platforms.RateLimitExceededException;
import io.cmis.platform.platforms.ReauthRequiredException;
import io.cmis.platform.platforms.TokenExpiredException;
import io.cmis.platform.platforms.TransientPlatformException;

import java.time.Duration;
import java.util.Optional;
import java.util.Set;

/**
 * TikTok's error rules. The Business API answers errors, throttling included, with HTTP 200 and a
 * body {@code code} other than 0, so the body decides; HTTP 4xx means a wrong path or method.
 */
final class TikTokClassifier implements ResponseClassifier {
    private static final Set<Integer> THROTTLED = Set.of(40016, 40100, 40133);
    private static final Set<Integer> TRANSIENT = Set.of(40202, 50000, 50002, 60001);
    /** 40107: the refresh token is invalid (a rotated-away one included): the account must reconnect. */
    private static final Set<Integer> REAUTH = Set.of(40001, 40103, 40104, 40105, 40106, 40107);
    /** TikTok sends no Retry-After; a per-minute quota clears within a minute. */
    static final Duration THROTTLE_WAIT = Duration.ofSeconds(60);
    /** A per-second (QPS) window: the first wait of an endpoint limit, doubling while it repeats. */
    static final Duration ENDPOINT_FIRST_WAIT = Duration.ofSeconds(1);

    /**
     * 40100 and 40016 are per app and endpoint: that endpoint waits, from one second (a QPS window)
     * doubling while it repeats up to a minute (a QPM window). 40133 is per advertiser: the
     * advertisers the call was about (else its integration).
     */
    private static List<Limit> limits(PlatformRequest request, int code) {
        if (code != 40133) {
            // A proxied call names its endpoint among its declared scopes (its own endpoint is the call
            // log's label): the limit must land where the tool's own calls of that endpoint look.
            String endpoint = request.declaredScopes().stream().filter(s -> s.startsWith("endpoint:")).findFirst()
                    .orElse(RateLimitScopes.endpoint(request.endpoint()));
            return List.of(new Limit(endpoint, ENDPOINT_FIRST_WAIT, THROTTLE_WAIT));
        }
        List<Limit> advertisers = request.declaredScopes().stream().filter(s -> s.startsWith(ADVERTISER_SCOPE))
                .map(s -> Limit.fixed(s, THROTTLE_WAIT)).toList();
        return advertisers.isEmpty() ? List.of(Limit.fixed(request.callScope(), THROTTLE_WAIT)) : advertisers;
    }

    static final String ADVERTISER_SCOPE = "advertiser:";

    @Override
    public Optional<PlatformException> classify(PlatformRequest request, PlatformResponse response) {
        String endpoint = request.endpoint();
        if (response.status() >= 500) {
            return Optional.of(new TransientPlatformException(TikTokConnector.ID, endpoint,
                    String.valueOf(response.status()), "HTTP " + response.status()));
        }
        if (!response.success() || !response.isJson()) {
            return Optional.of(new PermanentPlatformException(TikTokConnector.ID, endpoint,
                    String.valueOf(response.status()), "HTTP " + response.status() + " (wrong path or method?)"));
        }
        JsonNode body = response.json();
        int code = body.path("code").asInt(-1);
        if (code == 0) {
            return Optional.empty();
        }
        String text = String.valueOf(code);
        String message = body.path("message").asText("no message");
        if (THROTTLED.contains(code)) {
            return Optional.of(new RateLimitExceededException(TikTokConnector.ID, endpoint, text, limits(request, code),
                    message));
        }
        if (code == 40102) {
            return Optional.of(new TokenExpiredException(TikTokConnector.ID, endpoint, text, message));
        }
        if (REAUTH.contains(code)) {
            return Optional.of(new ReauthRequiredException(TikTokConnector.ID, endpoint, text, message));
        }
        if (TRANSIENT.contains(code) || (code >= 50000 && code < 60000)) {
            return Optional.of(new TransientPlatformException(TikTokConnector.ID, endpoint, text, message));
        }
        return Optional.of(new PermanentPlatformException(TikTokConnector.ID, endpoint, text, message));
    }
}
