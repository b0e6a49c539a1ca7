package io.cmis.platform.platforms.x;

import io.cmis.platform.crypto.Secret;
import io.cmis.platform.http.RequestSigner;
import io.cmis.platform.platforms.CallContext;
import io.cmis.platform.platforms.ReauthRequiredException;

import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/** OAuth 1.0a as the guarded path's {@link RequestSigner}: one per call, signing each attempt afresh. */
final class XSigning {
    private final XSettings settings;
    private final Clock clock;
    private final Supplier<String> nonces;

    XSigning(XSettings settings, Clock clock, Supplier<String> nonces) {
        this.settings = settings;
        this.clock = clock;
        this.nonces = nonces;
    }

    /** Built per call so that a missing consumer key fails that call with the fix, not the whole CLI. */
    private OAuth1Signer signer() {
        return new OAuth1Signer(settings.consumer(), clock, nonces);
    }

    /** Signs with a user's access token and its secret, as every Ads API call is. */
    RequestSigner user(CallContext context) {
        Secret tokenSecret = context.tokenSecret().orElseThrow(() -> new ReauthRequiredException(XConnector.ID, "-",
                "no_token_secret", "the stored X token has no secret (imported without one?); connect the account again"));
        OAuth1Signer.Token token = new OAuth1Signer.Token(context.accessToken().reveal(), tokenSecret);
        OAuth1Signer signer = signer();
        return (method, url, contentType, body) -> Secret.of(signer.authorization(
                new OAuth1Request(method, url, contentType, body), token));
    }

    /**
     * How every Ads API call with a user's token is authenticated, the connector's own and proxied
     * ones: signed per attempt over the method, the URL as sent (its raw query parsed and normalised
     * as RFC 5849 3.4.1.3 says, repeated parameters included) and a form body; a JSON body is not signed.
     */
    io.cmis.platform.http.PlatformRequest.Builder authenticate(io.cmis.platform.http.PlatformRequest.Builder request,
                                                               CallContext context) {
        return request.signedBy(user(context));
    }

    /** The first leg: consumer key only, with {@code oauth_callback}. */
    RequestSigner requestToken(String callback) {
        OAuth1Signer signer = signer();
        return (method, url, contentType, body) -> Secret.of(signer.authorization(
                new OAuth1Request(method, url, contentType, body), Optional.empty(),
                List.of(new OAuth1Request.Param("oauth_callback", callback))));
    }

    /** The last leg: the request token and its secret, with {@code oauth_verifier}. */
    RequestSigner accessToken(io.cmis.platform.platforms.RequestToken requestToken, Secret verifier) {
        OAuth1Signer.Token token = new OAuth1Signer.Token(requestToken.value(), requestToken.secret());
        OAuth1Signer signer = signer();
        return (method, url, contentType, body) -> Secret.of(signer.authorization(
                new OAuth1Request(method, url, contentType, body), Optional.of(token),
                List.of(new OAuth1Request.Param("oauth_verifier", verifier.reveal()))));
    }
}
