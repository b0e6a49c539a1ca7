package io.cmis.platform.platforms.snapchat;

import com.fasterxml.jackson.databind.JsonNode;
import io.cmis.platform.http.GuardedHttpClient;
import io.cmis.platform.http.PlatformRequest;
import io.cmis.platform.http.ResponseClassifier;
import io.cmis.platform.platforms.Account;
import io.cmis.platform.platforms.AuthorizationRequest;
import io.cmis.platform.platforms.CallContext;
import io.cmis.platform.platforms.CodeExchange;
import io.cmis.platform.platforms.DiscoveredAdAccount;
import io.cmis.platform.platforms.DiscoveredChannel;
import io.cmis.platform.platforms.PermanentPlatformException;
import io.cmis.platform.platforms.PlatformConnector;
import io.cmis.platform.platforms.PlatformDescriptor;
import io.cmis.platform.platforms.ProxyApi;
import io.cmis.platform.platforms.RefreshMode;
import io.cmis.platform.platforms.StoredGrant;
import io.cmis.platform.platforms.TokenGrant;
import io.cmis.platform.platforms.WebhookSupport;

import java.net.URI;
import java.time.Clock;
import java.util.List;

/**
 * Snapchat Marketing API (Snap Ads) and Public Profiles. One kind of token: short access tokens
 * renewed with a refresh token, before use and in the sweep. Ad accounts come through the user's
 * organizations; Public Profiles are channels ({@code snapchat_profile}). Snap pushes nothing:
 * there are no webhooks, so health comes from polling.
 */
final class SnapchatConnector implements PlatformConnector {
    static final String ID = "snapchat";
    static final String USER = "user";
    static final String ME = "/v1/me";
    static final String ADS = "ads";
    static final String PROFILES = "profiles";

    /**
     * The facts: one user token renewed by its refresh token (stored refresh tokens are kept unless an
     * answer brings a new one; the token layer stores that at once); no PKCE; the Ads API
     * ({@code /adaccounts/{id}/campaigns}) and the Public Profile API ({@code /public_profiles/{id}/stories}),
     * both at v1 on their configured hosts.
     */
    static final PlatformDescriptor DESCRIPTOR = new PlatformDescriptor(ID, "Snapchat",
            List.of(PlatformDescriptor.TokenKind.of(USER, RefreshMode.REFRESH_TOKEN)),
            List.of(PlatformDescriptor.ApiBase.of(ADS, "{snapchat.api-url}/v1"),
                    PlatformDescriptor.ApiBase.of(PROFILES, "{snapchat.profile-api-url}/v1")));

    private final PlatformDescriptor descriptor;
    private final SnapchatSettings settings;
    private final GuardedHttpClient http;
    private final SnapchatClassifier classifier = new SnapchatClassifier();
    private final SnapchatOAuth oauth;
    private final SnapchatDiscovery discovery;
    private final WebhookSupport webhooks = WebhookSupport.none(ID);

    SnapchatConnector(PlatformDescriptor descriptor, SnapchatSettings settings, GuardedHttpClient http, Clock clock) {
        this.descriptor = descriptor;
        this.settings = settings;
        this.http = http;
        this.oauth = new SnapchatOAuth(settings, http, clock);
        this.discovery = new SnapchatDiscovery(settings, new SnapchatPaging(http, classifier));
    }

    @Override
    public PlatformDescriptor descriptor() {
        return descriptor;
    }

    @Override
    public URI authorizationUrl(AuthorizationRequest request) {
        return oauth.authorizationUrl(request);
    }

    @Override
    public TokenGrant exchangeCode(CodeExchange exchange) {
        return oauth.exchangeCode(exchange);
    }

    @Override
    public TokenGrant refresh(StoredGrant grant) {
        return oauth.refresh(grant);
    }

    /** How every call with the user's token is authenticated, the connector's own and proxied ones: a bearer. */
    static PlatformRequest.Builder authenticated(PlatformRequest.Builder request, CallContext context) {
        return request.bearer(context.accessToken());
    }

    @Override
    public PlatformRequest.Builder authenticate(PlatformRequest.Builder request, ProxyApi api, CallContext context) {
        return authenticated(request, context);
    }

    /**
     * None beyond the app and the integration: Snapchat's throttle names no object, and the
     * connector's own calls declare none ({@link SnapchatClassifier} records it on the app).
     */
    @Override
    public List<String> proxyLimitScopes(ProxyApi api, String method, String path, CallContext context) {
        return List.of();
    }

    /** The user behind the token; {@code me.id} is the account id ({@code display_name} may be the email). */
    @Override
    public Account identify(CallContext context) {
        JsonNode me = SnapchatEnvelope.me(http.execute(authenticated(PlatformRequest.get(ID, settings.apiUrl(), ME), context)
                .context(context.orgId(), context.integrationId())
                .build(), classifier).json());
        String id = me.path("id").asText("").trim();
        if (id.isEmpty()) {
            throw new PermanentPlatformException(ID, ME, "no_id", "/v1/me named no user id");
        }
        String name = SnapchatEnvelope.firstText(me, "display_name", "email", "snapchat_username");
        return new Account(id, name.isEmpty() ? null : name);
    }

    @Override
    public List<DiscoveredChannel> channels(CallContext context) {
        return discovery.profiles(context);
    }

    @Override
    public List<DiscoveredAdAccount> adAccounts(CallContext context) {
        return discovery.adAccounts(context);
    }

    @Override
    public ResponseClassifier classifier() {
        return classifier;
    }

    @Override
    public WebhookSupport webhooks() {
        return webhooks;
    }
}
