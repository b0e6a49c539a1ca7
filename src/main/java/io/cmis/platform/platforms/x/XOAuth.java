package io.cmis.platform.platforms.x;

import io.cmis.platform.crypto.Secret;
import io.cmis.platform.http.GuardedHttpClient;
import io.cmis.platform.http.PlatformRequest;
import io.cmis.platform.http.PlatformResponse;
import io.cmis.platform.platforms.CodeExchange;
import io.cmis.platform.platforms.ConnectFirstLeg;
import io.cmis.platform.platforms.PermanentPlatformException;
import io.cmis.platform.platforms.RequestToken;
import io.cmis.platform.platforms.TokenGrant;
import io.cmis.platform.platforms.UriBuilder;

import java.net.URI;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The three legs of X's OAuth 1.0a flow: a request token (with the callback, which X must confirm),
 * the authorize page, and the access token for the verifier. Both token answers are form-encoded,
 * not JSON; the last one names the user, so no further call is needed to identify the account.
 */
final class XOAuth {
    static final String REQUEST_TOKEN = "/oauth/request_token";
    static final String AUTHORIZE = "/oauth/authorize";
    static final String ACCESS_TOKEN = "/oauth/access_token";

    private final XSettings settings;
    private final GuardedHttpClient http;
    private final XSigning signing;
    private final XOAuthClassifier classifier = new XOAuthClassifier();

    XOAuth(XSettings settings, GuardedHttpClient http, XSigning signing) {
        this.settings = settings;
        this.http = http;
        this.signing = signing;
    }

    ConnectFirstLeg begin(String callback) {
        Map<String, String> answer = form(http.execute(PlatformRequest.post(XConnector.ID, settings.apiUrl(),
                REQUEST_TOKEN).signedBy(signing.requestToken(callback)).build(), classifier));
        // Without the confirmation X did not take our callback (an OAuth 1.0 server): the user would
        // never come back to us, so stop here.
        if (!"true".equals(answer.get("oauth_callback_confirmed"))) {
            throw new PermanentPlatformException(XConnector.ID, REQUEST_TOKEN, "callback_not_confirmed",
                    "X did not confirm the callback URL; register it on the X app exactly as in x.redirect-uris");
        }
        String token = required(answer, "oauth_token", REQUEST_TOKEN);
        Secret secret = Secret.of(required(answer, "oauth_token_secret", REQUEST_TOKEN));
        URI authorize = UriBuilder.of(settings.apiUrl(), AUTHORIZE).param("oauth_token", token).build();
        return new ConnectFirstLeg(new RequestToken(token, secret), authorize);
    }

    TokenGrant complete(CodeExchange exchange) {
        RequestToken requestToken = exchange.requestToken().orElseThrow(() -> new PermanentPlatformException(
                XConnector.ID, ACCESS_TOKEN, "no_request_token", "an X connection completes only the flow it began"));
        Map<String, String> answer = form(http.execute(PlatformRequest.post(XConnector.ID, settings.apiUrl(),
                ACCESS_TOKEN).signedBy(signing.accessToken(requestToken, exchange.code()))
                .context(exchange.orgId(), null).build(), classifier));
        Secret token = Secret.of(required(answer, "oauth_token", ACCESS_TOKEN));
        Secret secret = Secret.of(required(answer, "oauth_token_secret", ACCESS_TOKEN));
        String userId = required(answer, "user_id", ACCESS_TOKEN);
        Optional<String> screenName = Optional.ofNullable(answer.get("screen_name")).filter(n -> !n.isBlank());
        return new TokenGrant(token, Optional.empty(), Optional.empty(), Optional.empty(), exchange.tokenKind(),
                List.of(), Optional.of(userId), Map.of(), Optional.of(secret), screenName);
    }

    private static String required(Map<String, String> answer, String name, String endpoint) {
        String value = answer.get(name);
        if (value == null || value.isBlank()) {
            throw new PermanentPlatformException(XConnector.ID, endpoint, "incomplete_answer",
                    "X's answer has no " + name);
        }
        return value;
    }

    /** A form-encoded answer as a map; duplicate names keep the first. */
    static Map<String, String> form(PlatformResponse response) {
        Map<String, String> out = new LinkedHashMap<>();
        for (OAuth1Request.Param p : OAuth1Request.decode(response.body())) {
            out.putIfAbsent(p.name(), p.value());
        }
        return out;
    }
}
