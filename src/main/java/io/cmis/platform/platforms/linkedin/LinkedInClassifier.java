package io.cmis.platform.platforms.linkedin;

import com.fasterxml.jackson.databind.JsonNode;
import io.cmis.platform.http.PlatformRequest;
import io.cmis.platform.http.PlatformResponse;
import io.cmis.platform.http.ResponseClassifier;
import io.cmis.platform.platforms.ConfigurationPlatformException;
import io.cmis.platform.platforms.PermanentPlatformException;
import io.cmis.platform.platforms.PlatformException;
import io.cmis.platform.platforms.ReauthRequiredException;
import io.cmis.platform.platforms.TokenExpiredException;
import io.cmis.platform.platforms.TransientPlatformException;

import java.time.Clock;
import java.util.Locale;
import java.util.Optional;

/**
 * LinkedIn's error rules for {@code /rest} calls: the HTTP status and the envelope's
 * {@code serviceErrorCode} and {@code code} decide, never the message text (LinkedIn may change it
 * without notice), except where the reference itself leaves a code open.
 */
final class LinkedInClassifier implements ResponseClassifier {
    private final LinkedInThrottle throttle;
    private final String apiVersion;
    /** False on the second answer to the same request: a 500 then is an ordinary server error. */
    private final boolean firstAnswer;

    LinkedInClassifier(Clock clock, String apiVersion, boolean firstAnswer) {
        this.throttle = new LinkedInThrottle(clock);
        this.apiVersion = apiVersion;
        this.firstAnswer = firstAnswer;
    }

    /** The rules for the one repeat of a request whose first answer was a 500. */
    LinkedInClassifier afterUnverified() {
        return new LinkedInClassifier(throttle.clock(), apiVersion, false);
    }

    @Override
    public Optional<PlatformException> classify(PlatformRequest request, PlatformResponse response) {
        if (response.success()) {
            return Optional.empty();
        }
        JsonNode body = response.json();
        int status = response.status();
        int service = body.path("serviceErrorCode").asInt(-1);
        String code = body.path("code").asText("");
        String message = body.path("message").asText("HTTP " + status);
        String errorCode = code.isEmpty() ? (service > 0 ? String.valueOf(service) : String.valueOf(status))
                : code + (service > 0 ? "/" + service : "");
        String endpoint = request.endpoint();
        if (status == 426 || code.equals("NONEXISTENT_VERSION") || code.equals("VERSION_MISSING")) {
            return Optional.of(versionError(endpoint, code.isEmpty() ? "NONEXISTENT_VERSION" : code));
        }
        if (expired(status, service, code, message)) {
            return Optional.of(new TokenExpiredException(LinkedInConnector.ID, endpoint, errorCode, message));
        }
        if (service == 65600 || service == 65601 || code.equals("INVALID_ACCESS_TOKEN")
                || code.equals("REVOKED_ACCESS_TOKEN")) {
            return Optional.of(new ReauthRequiredException(LinkedInConnector.ID, endpoint, errorCode, message));
        }
        if (status == 401) {
            // Any other refusal of the token: the caller refreshes once where it can, then asks for a reconnect.
            return Optional.of(new TokenExpiredException(LinkedInConnector.ID, endpoint, errorCode, message));
        }
        if (status == 429) {
            return Optional.of(throttle.limited(request, response, errorCode, message));
        }
        if (status == 500 && firstAnswer) {
            return Optional.of(new UnverifiedTokenException(endpoint, errorCode, message));
        }
        if (status >= 500) {
            return Optional.of(new TransientPlatformException(LinkedInConnector.ID, endpoint, errorCode, message));
        }
        return Optional.of(new PermanentPlatformException(LinkedInConnector.ID, endpoint, errorCode, message));
    }

    /**
     * The expired code: {@code EXPIRED_ACCESS_TOKEN}; its number 65602 is not confirmed and some
     * answers reuse 65600 for it, so 65600 whose message says "expired" counts as expired too.
     */
    private static boolean expired(int status, int service, String code, String message) {
        if (code.equals("EXPIRED_ACCESS_TOKEN") || service == 65602) {
            return true;
        }
        return status == 401 && service == 65600 && code.isEmpty()
                && message.toLowerCase(Locale.ROOT).contains("expired");
    }

    /**
     * Every call fails the same way until the configuration changes, so the message says which key
     * and what to do rather than what LinkedIn said.
     */
    private PermanentPlatformException versionError(String endpoint, String code) {
        String problem = code.equals("VERSION_MISSING") ? "LinkedIn says the LinkedIn-Version header is missing"
                : "LinkedIn no longer serves API version " + apiVersion;
        return new ConfigurationPlatformException(LinkedInConnector.ID, endpoint, code,
                problem + ": set "
                + LinkedInSettings.VERSION_KEY + " to a version LinkedIn still serves (YYYYMM, see LinkedIn's Marketing "
                + "API migrations page) and run again; every LinkedIn call fails until then");
    }

    /**
     * A 500 on a first answer: LinkedIn answers so when it could not verify the token downstream. It
     * is neither retried by the guarded path nor counted by the breaker; the connector asks once
     * more itself, and the second answer is classified on its own.
     */
    static final class UnverifiedTokenException extends TransientPlatformException {
        UnverifiedTokenException(String endpoint, String errorCode, String message) {
            super(LinkedInConnector.ID, endpoint, errorCode, message + " (LinkedIn could not verify the token; asked once "
                    + "more)");
        }

        @Override
        public boolean transientFailure() {
            return false;
        }
    }
}
