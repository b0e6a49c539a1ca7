package io.cmis.platform.platforms.x;

import io.cmis.platform.http.PlatformRequest;
import io.cmis.platform.http.PlatformResponse;
import io.cmis.platform.http.ResponseClassifier;
import io.cmis.platform.platforms.PermanentPlatformException;
import io.cmis.platform.platforms.PlatformException;
import io.cmis.platform.platforms.RateLimitExceededException;
import io.cmis.platform.platforms.TransientPlatformException;

import java.util.Optional;

/**
 * The token endpoints' rules: their success is a form, not JSON, and a refusal there (a wrong
 * consumer key, an unregistered callback, a used request token or a wrong verifier) ends the flow:
 * the operator starts again, and a retry would only be refused again.
 */
final class XOAuthClassifier implements ResponseClassifier {
    @Override
    public Optional<PlatformException> classify(PlatformRequest request, PlatformResponse response) {
        int status = response.status();
        if (response.success()) {
            return Optional.empty();
        }
        String code = XClassifier.code(response.json()).orElse(String.valueOf(status));
        if (status == 429) {
            return Optional.of(new RateLimitExceededException(XConnector.ID, request.endpoint(), code,
                    request.callScope(), XClassifier.DEFAULT_WAIT, "HTTP 429 " + code));
        }
        if (status >= 500) {
            return Optional.of(new TransientPlatformException(XConnector.ID, request.endpoint(), code,
                    "HTTP " + status + " " + code));
        }
        return Optional.of(new PermanentPlatformException(XConnector.ID, request.endpoint(), code,
                "X refused the connection (HTTP " + status + " " + code + "): check x.consumer-key, "
                        + "x.consumer-secret and the callback registered on the app, then start again"));
    }
}
