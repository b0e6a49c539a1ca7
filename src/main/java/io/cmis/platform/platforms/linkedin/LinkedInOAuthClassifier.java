package io.cmis.platform.platforms.linkedin;

import com.fasterxml.jackson.databind.JsonNode;
import io.cmis.platform.http.PlatformRequest;
import io.cmis.platform.http.PlatformResponse;
import io.cmis.platform.http.ResponseClassifier;
import io.cmis.platform.platforms.PermanentPlatformException;
import io.cmis.platform.platforms.PlatformException;
import io.cmis.platform.platforms.ReauthRequiredException;
import io.cmis.platform.platforms.TransientPlatformException;

import java.util.Optional;

/**
 * LinkedIn's error rules for {@code /oauth/v2/accessToken}, whose errors are OAuth's
 * ({@code error}, {@code error_description}), not the Rest.li envelope. A refused refresh means the
 * grant is dead whatever the error is called: LinkedIn documents {@code invalid_request} for an
 * invalid, expired or revoked refresh token, and {@code invalid_grant} may be what it really sends.
 */
final class LinkedInOAuthClassifier implements ResponseClassifier {
    private final boolean refreshGrant;

    private LinkedInOAuthClassifier(boolean refreshGrant) {
        this.refreshGrant = refreshGrant;
    }

    /** For redeeming a code: a refused code is a failed connect, not a lost grant. */
    static LinkedInOAuthClassifier codeExchange() {
        return new LinkedInOAuthClassifier(false);
    }

    /** For a refresh_token grant: a refusal (400 or 401) means the org must reconnect. */
    static LinkedInOAuthClassifier refresh() {
        return new LinkedInOAuthClassifier(true);
    }

    @Override
    public Optional<PlatformException> classify(PlatformRequest request, PlatformResponse response) {
        JsonNode body = response.json();
        if (response.success() && body.hasNonNull("access_token")) {
            return Optional.empty();
        }
        int status = response.status();
        String error = body.path("error").asText(body.path("code").asText(String.valueOf(status)));
        String description = body.path("error_description").asText(body.path("message").asText("HTTP " + status));
        if (status >= 500 || status == 429) {
            return Optional.of(new TransientPlatformException(LinkedInConnector.ID, request.endpoint(), error,
                    description));
        }
        // Wrong app credentials (invalid_client_id) are the operator's to fix, not every org's grant lost.
        if (refreshGrant && (status == 400 || status == 401) && !error.startsWith("invalid_client")) {
            return Optional.of(new ReauthRequiredException(LinkedInConnector.ID, request.endpoint(), error,
                    description));
        }
        return Optional.of(new PermanentPlatformException(LinkedInConnector.ID, request.endpoint(), error,
                response.success() ? "the token endpoint answered without an access_token" : description));
    }
}
