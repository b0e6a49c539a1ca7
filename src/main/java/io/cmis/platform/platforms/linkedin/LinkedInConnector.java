package io.cmis.platform.platforms.linkedin;

import com.fasterxml.jackson.databind.JsonNode;
import io.cmis.platform.crypto.Secret;
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
import io.cmis.platform.platforms.ReauthRequiredException;
import io.cmis.platform.platforms.RefreshMode;
import io.cmis.platform.platforms.StoredGrant;
import io.cmis.platform.platforms.TokenGrant;
import io.cmis.platform.platforms.UriBuilder;
import io.cmis.platform.platforms.WebhookSupport;

import java.net.URI;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * LinkedIn Marketing and Community Management APIs: the Pages a member administers and the ad
 * accounts the member can use. Member tokens live 60 days. Only approved partner apps also get a
 * refresh token (365 days from consent, not extended by a refresh); without one the org is warned
 * before the token ends and must reconnect, as with Meta. No PKCE: LinkedIn offers it to native
 * apps only, and a web app sending it breaks the flow.
 */
final class LinkedInConnector implements PlatformConnector {
    static final String REST = "rest";
    static final String ID = "linkedin";
    /** One resource by one numeric key, as the connector's own {@code /rest/adAccounts/{id}} lookup. */
    private static final java.util.regex.Pattern KEYED_PATH = java.util.regex.Pattern.compile(
            "/?([A-Za-z]+)/(\\d+)(?:[?#].*)?");

    /**
     * The facts: the member token, renewed by a refresh token where LinkedIn gave one (a grant stored
     * without one is warned about, then needs re-auth); no PKCE (see the class comment); the versioned
     * {@code /rest} API, every call carrying the configured {@code LinkedIn-Version} and Rest.li 2.0.0.
     */
    static final PlatformDescriptor DESCRIPTOR = new PlatformDescriptor(ID, "LinkedIn",
            List.of(PlatformDescriptor.TokenKind.of(LinkedInTokens.KIND, RefreshMode.REFRESH_TOKEN)),
            List.of(new PlatformDescriptor.ApiBase(REST, "{linkedin.api-url}/rest", Map.of(
                    LinkedInApi.VERSION_HEADER, "{" + LinkedInSettings.VERSION_KEY + "}",
                    LinkedInApi.PROTOCOL_HEADER, LinkedInApi.PROTOCOL))));

    private final PlatformDescriptor descriptor;
    private final LinkedInSettings settings;
    private final GuardedHttpClient http;
    private final Clock clock;
    private final LinkedInClassifier classifier;
    private final LinkedInApi api;
    private final LinkedInWebhooks webhooks;

    LinkedInConnector(PlatformDescriptor descriptor, LinkedInSettings settings, GuardedHttpClient http, Clock clock) {
        this.descriptor = descriptor;
        this.settings = settings;
        this.http = http;
        this.clock = clock;
        this.classifier = new LinkedInClassifier(clock, settings.apiVersion(), true);
        this.api = new LinkedInApi(settings, http, classifier);
        this.webhooks = new LinkedInWebhooks(settings);
    }

    @Override
    public PlatformDescriptor descriptor() {
        return descriptor;
    }

    @Override
    public URI authorizationUrl(AuthorizationRequest request) {
        return UriBuilder.of(settings.authUrl(), "/oauth/v2/authorization")
                .param("response_type", "code")
                .param("client_id", settings.clientId())
                .param("redirect_uri", request.redirectUri())
                .param("state", request.state())
                .param("scope", String.join(" ", request.scopes().stream()
                        .flatMap(s -> LinkedInTokens.scopes(s).stream()).toList()))
                .build();
    }

    @Override
    public TokenGrant exchangeCode(CodeExchange exchange) {
        JsonNode answer = token(Map.of("grant_type", "authorization_code", "redirect_uri", exchange.redirectUri(),
                "client_id", settings.clientId()), Map.of("code", exchange.code()), exchange.orgId(), null,
                LinkedInOAuthClassifier.codeExchange());
        return LinkedInTokens.consent(answer, clock.instant());
    }

    @Override
    public TokenGrant refresh(StoredGrant grant) {
        Secret refreshToken = grant.refreshToken().orElseThrow(() -> new ReauthRequiredException(ID,
                LinkedInTokens.ENDPOINT, "no_refresh_token", "no refresh token is stored (LinkedIn gives them to "
                + "approved partner apps only): the org must reconnect"));
        JsonNode answer = token(Map.of("grant_type", "refresh_token", "client_id", settings.clientId()),
                Map.of("refresh_token", refreshToken), grant.orgId(), grant.integrationId(),
                LinkedInOAuthClassifier.refresh());
        return LinkedInTokens.refreshed(answer, clock.instant(), refreshToken);
    }

    /** LinkedIn takes the app's credentials in the form body (no Basic authentication). */
    private JsonNode token(Map<String, String> fields, Map<String, Secret> secrets, UUID orgId, UUID integrationId,
                           ResponseClassifier rules) {
        Map<String, Secret> all = new java.util.LinkedHashMap<>(secrets);
        all.put("client_secret", Secret.of(settings.clientSecret()));
        return http.execute(PlatformRequest.post(ID, settings.authUrl(), LinkedInTokens.ENDPOINT)
                .form(fields, all)
                .context(orgId, integrationId)
                .build(), rules).json();
    }

    /**
     * The member a token belongs to. The default scopes include no profile scope, so the member is
     * read where the discovery answers name it (an ad account role, a Page role) and the profile is
     * asked only when neither does.
     */
    @Override
    public Account identify(CallContext context) {
        JsonNode users = api.call(api.get(LinkedInAdAccounts.USERS, context).query("q", "authenticatedUser")
                .query("start", "0").query("count", "1").build());
        String member = users.path("elements").path(0).path("user").asText("");
        if (member.isEmpty()) {
            JsonNode acls = api.call(api.get(LinkedInPages.ACLS, context).query("q", "roleAssignee")
                    .query("start", "0").query("count", "1").build());
            member = acls.path("elements").path(0).path("roleAssignee").asText("");
        }
        if (!member.isEmpty()) {
            return new Account(member, null);
        }
        JsonNode me;
        try {
            me = api.call(api.get("/rest/me", context).build());
        } catch (PermanentPlatformException e) {
            me = null;
        }
        if (me == null || me.path("id").asText("").isEmpty()) {
            throw new PermanentPlatformException(ID, "/rest/me", "no_member", "LinkedIn did not say which member this "
                    + "token belongs to: the member administers no Page and uses no ad account, and the app may not "
                    + "read the profile (add r_basicprofile to linkedin.scopes to connect such a member)");
        }
        String name = (me.path("localizedFirstName").asText("") + " " + me.path("localizedLastName").asText("")).trim();
        return new Account("urn:li:person:" + me.path("id").asText(), name.isEmpty() ? null : name);
    }

    @Override
    public List<DiscoveredChannel> channels(CallContext context) {
        return new LinkedInPages(api).administered(context);
    }

    @Override
    public List<DiscoveredAdAccount> adAccounts(CallContext context) {
        return new LinkedInAdAccounts(api).usable(context);
    }

    @Override
    public PlatformRequest.Builder authenticate(PlatformRequest.Builder request, ProxyApi proxyApi, CallContext context) {
        return api.authenticated(request, context);
    }

    /**
     * LinkedIn's two quotas of the endpoint, as the connector's own calls of it declare them: the
     * application's ({@code endpoint:/rest/adAccounts}) and the member's
     * ({@code member:<account>:/rest/adAccounts}), so a member held back by sync is held back here
     * too, and a member limit a proxied call meets is recorded for that member (and read by sync).
     * A lookup by one numeric key ({@code adAccounts/508123}) is the call the connector's own makes
     * as {@code /rest/adAccounts/{id}}: it declares those scopes too, the member's first, so that
     * its limit is recorded where the connector's own lookups read it.
     */
    @Override
    public List<String> proxyLimitScopes(ProxyApi proxyApi, String method, String path, CallContext context) {
        String endpoint = LinkedInApi.resource(path);
        java.util.regex.Matcher keyed = KEYED_PATH.matcher(path);
        if (keyed.matches()) {
            String lookup = "/rest/" + keyed.group(1) + "/{id}";
            return List.of(io.cmis.platform.http.RateLimitScopes.endpoint(endpoint),
                    io.cmis.platform.http.RateLimitScopes.endpoint(lookup), LinkedInThrottle.memberScope(context, lookup),
                    LinkedInThrottle.memberScope(context, endpoint));
        }
        return List.of(io.cmis.platform.http.RateLimitScopes.endpoint(endpoint),
                LinkedInThrottle.memberScope(context, endpoint));
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
