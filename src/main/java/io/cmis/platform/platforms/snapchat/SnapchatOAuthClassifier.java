package io.cmis.platform.platforms.snapchat;

import com.fasterxml.jackson.databind.JsonNode;
import io.cmis.platform.http.PlatformRequest;
import io.cmis.platform.http.PlatformResponse;
import io.cmis.platform.http.ResponseClassifier;
import io.cmis.platform.platforms.PermanentPlatformException;
import io.cmis.platform.platforms.PlatformException;
import io.cmis.platform.platforms.ReauthRequiredException;
import io.cmis.platform.platforms.TransientPlatformException;

import java.util.Optional;
import java.util.Set;

/**
 * The token endpoint's rules (RFC 6749 errors; the exact strings Snap sends are not documented).
 * A 400 or 401 means the code or refresh token is dead, so the user reconnects; 429, 5xx and
 * answers that are not JSON (the endpoint has sent HTML) are transient and never mark auth broken.
 */
final class SnapchatOAuthClassifier implements ResponseClassifier {
    /**
     * The app's own credentials were refused: an operator fixes the configuration. Marking every
     * connected account for a reconnect would not help, and would cost each user a new consent.
     */
    private static final Set<String> APP_ERRORS = Set.of("invalid_client", "unauthorized_client");

    @Override
    public Optional<PlatformException> classify(PlatformRequest request, PlatformResponse response) {
        String endpoint = request.endpoint();
        int status = response.status();
        JsonNode body = response.json();
        String error = SnapchatEnvelope.firstText(body, "error");
        String code = error.isEmpty() ? String.valueOf(status) : error;
        String message = SnapchatEnvelope.firstText(body, "error_description", "error");
        message = message.isEmpty() ? "HTTP " + status : message;
        if (status == 429 || status >= 500) {
            return Optional.of(new TransientPlatformException(SnapchatConnector.ID, endpoint, code, message));
        }
        if (APP_ERRORS.contains(error)) {
            return Optional.of(new PermanentPlatformException(SnapchatConnector.ID, endpoint, code,
                    message + "; check snapchat.client-id and snapchat.client-secret"));
        }
        if ("invalid_grant".equals(error) || status == 400 || status == 401) {
            return Optional.of(new ReauthRequiredException(SnapchatConnector.ID, endpoint, code,
                    message + "; the grant is no longer valid: reconnect the account"));
        }
        if (!response.success()) {
            return Optional.of(new PermanentPlatformException(SnapchatConnector.ID, endpoint, code, message));
        }
        if (!body.isObject() || body.path("access_token").asText("").isBlank()) {
            return Optional.of(new TransientPlatformException(SnapchatConnector.ID, endpoint, "no_token",
                    "HTTP " + status + " without an access token in a JSON body"));
        }
        return Optional.empty();
    }
}
