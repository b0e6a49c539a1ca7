package io.cmis.platform.platforms.snapchat;

import com.fasterxml.jackson.databind.JsonNode;
import io.cmis.platform.crypto.Secret;
import io.cmis.platform.http.GuardedHttpClient;
import io.cmis.platform.http.PlatformRequest;
import io.cmis.platform.platforms.AuthorizationRequest;
import io.cmis.platform.platforms.CodeExchange;
import io.cmis.platform.platforms.PermanentPlatformException;
import io.cmis.platform.platforms.StoredGrant;
import io.cmis.platform.platforms.TokenGrant;
import io.cmis.platform.platforms.UriBuilder;

import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * Snapchat's OAuth 2.0 at accounts.snapchat.com: authorize and token on different paths, the client
 * secret in the form body, no PKCE. Access tokens are short (30 or 60 minutes: sources disagree),
 * so each answer's {@code expires_in} is what counts. Whether refresh tokens rotate is not
 * documented: a refresh answer's new refresh token replaces the stored one, and an answer without
 * one keeps it.
 */
final class SnapchatOAuth {
    static final String AUTHORIZE_PATH = "/login/oauth2/authorize";
    static final String TOKEN_PATH = "/login/oauth2/access_token";
    /** When an answer lacks {@code expires_in}: the shorter of the two lifetimes seen, so it is refreshed in time. */
    static final Duration DEFAULT_LIFETIME = Duration.ofMinutes(30);

    private final SnapchatSettings settings;
    private final GuardedHttpClient http;
    private final Clock clock;
    private final SnapchatOAuthClassifier classifier = new SnapchatOAuthClassifier();

    SnapchatOAuth(SnapchatSettings settings, GuardedHttpClient http, Clock clock) {
        this.settings = settings;
        this.http = http;
        this.clock = clock;
    }

    /** No code_challenge even when one is offered: Snap's Marketing API docs have no PKCE. */
    URI authorizationUrl(AuthorizationRequest request) {
        List<String> scopes = SnapchatSettings.scopes(String.join(" ", request.scopes()));
        return UriBuilder.of(settings.authUrl(), AUTHORIZE_PATH)
                .param("client_id", settings.clientId())
                .param("redirect_uri", request.redirectUri())
                .param("response_type", "code")
                .param("scope", String.join(" ", scopes.isEmpty() ? settings.scopes() : scopes))
                .param("state", request.state())
                .build();
    }

    TokenGrant exchangeCode(CodeExchange exchange) {
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put("grant_type", "authorization_code");
        fields.put("client_id", settings.clientId());
        fields.put("redirect_uri", exchange.redirectUri());
        JsonNode json = token(fields, Map.of("client_secret", Secret.of(settings.clientSecret()),
                "code", exchange.code()), exchange.orgId());
        if (json.path("refresh_token").asText("").isBlank()) {
            throw new PermanentPlatformException(SnapchatConnector.ID, TOKEN_PATH, "no_refresh_token",
                    "Snapchat returned no refresh token: the access token would die within the hour; connect again");
        }
        return grant(json, Optional.empty());
    }

    TokenGrant refresh(StoredGrant grant) {
        Secret refreshToken = grant.refreshToken().orElseThrow(() -> new PermanentPlatformException(
                SnapchatConnector.ID, TOKEN_PATH, "no_refresh_token", "the integration has no refresh token; reconnect it"));
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put("grant_type", "refresh_token");
        fields.put("client_id", settings.clientId());
        JsonNode json = token(fields, Map.of("client_secret", Secret.of(settings.clientSecret()),
                "refresh_token", refreshToken), grant.orgId());
        return grant(json, Optional.of(refreshToken));
    }

    /** Never retried by the HTTP layer (not idempotent): a code is single-use and a refresh may rotate. */
    private JsonNode token(Map<String, String> fields, Map<String, Secret> secrets, UUID orgId) {
        return http.execute(PlatformRequest.post(SnapchatConnector.ID, settings.authUrl(), TOKEN_PATH)
                .form(fields, new LinkedHashMap<>(secrets))
                .context(orgId, null)
                .build(), classifier).json();
    }

    /** A new refresh token in the answer replaces the old one (stored with the access token); none keeps it. */
    private TokenGrant grant(JsonNode json, Optional<Secret> previousRefresh) {
        String refresh = json.path("refresh_token").asText("");
        long lifetime = json.path("expires_in").asLong(0);
        Duration expiresIn = lifetime > 0 ? Duration.ofSeconds(lifetime) : DEFAULT_LIFETIME;
        List<String> scopes = SnapchatSettings.scopes(json.path("scope").asText(""));
        return new TokenGrant(Secret.of(json.path("access_token").asText()),
                refresh.isBlank() ? previousRefresh : Optional.of(Secret.of(refresh)),
                Optional.of(clock.instant().plus(expiresIn)), Optional.empty(), SnapchatConnector.USER,
                // An answer without "scope": the app asks for its configured scopes, so those are what was granted.
                scopes.isEmpty() ? settings.scopes() : scopes, Optional.empty(), Map.of());
    }
}
