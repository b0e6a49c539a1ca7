package io.cmis.platform.platforms.snapchat;

import com.fasterxml.jackson.databind.JsonNode;
import io.cmis.platform.http.PlatformRequest;
import io.cmis.platform.http.PlatformResponse;
import io.cmis.platform.http.RateLimitScopes;
import io.cmis.platform.http.ResponseClassifier;
import io.cmis.platform.platforms.PermanentPlatformException;
import io.cmis.platform.platforms.PlatformException;
import io.cmis.platform.platforms.RateLimitExceededException;
import io.cmis.platform.platforms.RateLimitExceededException.Limit;
import io.cmis.platform.platforms.TokenExpiredException;
import io.cmis.platform.platforms.TransientPlatformException;

import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;

/**
 * The Ads and Public Profile APIs' error rules. The HTTP status decides; {@code error_code} (E3002,
 * E3003, ...) and {@code request_status} are hints only, since Snap publishes no catalogue of them.
 * A 401 body may be the bare word {@code unauthorized} or empty, so nothing here needs JSON.
 */
final class SnapchatClassifier implements ResponseClassifier {
    /** Snap documents no rate-limit headers: a 429 waits a second, doubling while it repeats, up to a minute. */
    static final Duration THROTTLE_FIRST_WAIT = Duration.ofSeconds(1);
    static final Duration THROTTLE_LONGEST_WAIT = Duration.ofSeconds(60);

    @Override
    public Optional<PlatformException> classify(PlatformRequest request, PlatformResponse response) {
        String endpoint = request.endpoint();
        int status = response.status();
        JsonNode body = response.json();
        String code = SnapchatEnvelope.firstText(body, "error_code");
        code = code.isEmpty() ? String.valueOf(status) : code;
        String message = message(body, status);
        if (status == 429) {
            return Optional.of(new RateLimitExceededException(SnapchatConnector.ID, endpoint, code,
                    List.of(throttle(response)), message));
        }
        if (status >= 500 || status == 408) {
            return Optional.of(new TransientPlatformException(SnapchatConnector.ID, endpoint, code, message));
        }
        if (status == 401) {
            // Expired, invalid or revoked look the same; the caller refreshes once and then asks for a reconnect.
            return Optional.of(new TokenExpiredException(SnapchatConnector.ID, endpoint, code,
                    "the access token was refused (" + message + ")"));
        }
        if (status == 403) {
            // E3002: a role on the organization or ad account, or a scope, is missing. The token still
            // works for the rest, so this call fails alone; a reconnect granting it is the fix.
            return Optional.of(new PermanentPlatformException(SnapchatConnector.ID, endpoint, code,
                    "no permission (" + message + "); the user needs a role there, or a reconnect granting the scope"));
        }
        if (!response.success()) {
            return Optional.of(new PermanentPlatformException(SnapchatConnector.ID, endpoint, code, message));
        }
        if (!response.isJson() || !body.isObject()) {
            // A cut-off or HTML answer from a front end: the next try usually gets the real one.
            return Optional.of(new TransientPlatformException(SnapchatConnector.ID, endpoint, "not_json",
                    "HTTP " + status + " without a JSON body"));
        }
        if (!SnapchatEnvelope.succeeded(body.path("request_status")) && !carriesItems(body)) {
            return Optional.of(new PermanentPlatformException(SnapchatConnector.ID, endpoint, code, message));
        }
        return Optional.empty();
    }

    /** Retry-After when it ever appears (it is not documented); otherwise the growing default, for the whole app. */
    private static Limit throttle(PlatformResponse response) {
        Optional<Duration> retryAfter = response.header("retry-after").flatMap(SnapchatClassifier::seconds);
        return retryAfter.map(wait -> Limit.fixed(RateLimitScopes.APP, wait))
                .orElseGet(() -> new Limit(RateLimitScopes.APP, THROTTLE_FIRST_WAIT, THROTTLE_LONGEST_WAIT));
    }

    private static Optional<Duration> seconds(String value) {
        try {
            long seconds = Long.parseLong(value.trim());
            return seconds > 0 ? Optional.of(Duration.ofSeconds(seconds)) : Optional.empty();
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    /**
     * A 200 whose top-level status is not success but which still carries items is a partial answer:
     * the items' own statuses say which failed, and discovery reports those.
     */
    private static boolean carriesItems(JsonNode body) {
        for (Iterator<JsonNode> values = body.elements(); values.hasNext(); ) {
            if (values.next().isArray()) {
                return true;
            }
        }
        return false;
    }

    private static String message(JsonNode body, int status) {
        String text = SnapchatEnvelope.firstText(body, "debug_message", "display_message", "msg", "message");
        return text.isEmpty() ? "HTTP " + status : text;
    }
}
