package io.cmis.platform.platforms.meta;

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
import io.cmis.platform.platforms.RefreshMode;
import io.cmis.platform.platforms.StoredGrant;
import io.cmis.platform.platforms.TokenGrant;
import io.cmis.platform.platforms.UriBuilder;

import java.net.URI;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Meta Graph API: Facebook Pages (with their page tokens), the Instagram business accounts linked
 * to them, and Marketing API ad accounts. User tokens have no refresh token: the code gives a
 * short-lived token that is exchanged at once for a long-lived one (about 60 days).
 */
final class MetaConnector implements PlatformConnector {
    static final String ID = "meta";
    static final int PAGE_SIZE = 100;
    static final String GRAPH = "graph";
    private static final String PAGE_FIELDS =
            "id,name,access_token,category,tasks,instagram_business_account{id,username,name}";
    private static final String AD_ACCOUNT_FIELDS = "id,account_id,name,currency,timezone_name,account_status,business{id,name}";

    /**
     * The facts: one user token, long-lived and renewed only by the user connecting again; no PKCE;
     * the Graph API at the configured version, a proxied path relative to it ({@code /act_1/campaigns}).
     */
    static final PlatformDescriptor DESCRIPTOR = new PlatformDescriptor(ID, "Meta",
            List.of(PlatformDescriptor.TokenKind.of("user", RefreshMode.REAUTH_ONLY)),
            List.of(PlatformDescriptor.ApiBase.of(GRAPH, "{meta.graph-url}/{meta.api-version}")));

    private final PlatformDescriptor descriptor;
    private final MetaSettings settings;
    private final GuardedHttpClient http;
    private final Clock clock;
    private final MetaClassifier classifier = new MetaClassifier();
    private final MetaWebhooks webhooks;

    MetaConnector(PlatformDescriptor descriptor, MetaSettings settings, GuardedHttpClient http, Clock clock) {
        this.descriptor = descriptor;
        this.settings = settings;
        this.http = http;
        this.clock = clock;
        this.webhooks = new MetaWebhooks(settings, clock);
    }

    @Override
    public PlatformDescriptor descriptor() {
        return descriptor;
    }

    @Override
    public URI authorizationUrl(AuthorizationRequest request) {
        return UriBuilder.of(settings.dialogUrl(), "/" + settings.apiVersion() + "/dialog/oauth")
                .param("client_id", settings.clientId())
                .param("redirect_uri", request.redirectUri())
                .param("state", request.state())
                .param("response_type", "code")
                .param("scope", String.join(",", request.scopes()))
                .build();
    }

    @Override
    public TokenGrant exchangeCode(CodeExchange exchange) {
        JsonNode shortLived = http.execute(graph("/{version}/oauth/access_token", false)
                .query("client_id", settings.clientId())
                .query("redirect_uri", exchange.redirectUri())
                .secretQuery("client_secret", Secret.of(settings.clientSecret()))
                .secretQuery("code", exchange.code())
                .context(exchange.orgId(), null)
                .build(), classifier).json();
        return longLived(Secret.of(shortLived.path("access_token").asText()), exchange.orgId());
    }

    /** Meta has no refresh grant; a valid token can be exchanged again, which the caller keeps only if it lasts longer. */
    @Override
    public TokenGrant refresh(StoredGrant grant) {
        return longLived(grant.accessToken(), grant.orgId());
    }

    private TokenGrant longLived(Secret token, java.util.UUID orgId) {
        Instant now = clock.instant();
        JsonNode json = http.execute(graph("/{version}/oauth/access_token", false)
                .query("grant_type", "fb_exchange_token")
                .query("client_id", settings.clientId())
                .secretQuery("client_secret", Secret.of(settings.clientSecret()))
                .secretQuery("fb_exchange_token", token)
                .context(orgId, null)
                .build(), classifier).json();
        String access = json.path("access_token").asText("");
        if (access.isEmpty()) {
            throw new PermanentPlatformException(ID, "/{version}/oauth/access_token", "no_token",
                    "the token exchange returned no access_token");
        }
        Optional<Instant> expires = json.hasNonNull("expires_in")
                ? Optional.of(now.plusSeconds(json.path("expires_in").asLong())) : Optional.empty();
        return new TokenGrant(Secret.of(access), Optional.empty(), expires, Optional.empty(), "user", List.of(),
                Optional.empty(), Map.of());
    }

    @Override
    public Account identify(CallContext context) {
        JsonNode me = http.execute(authenticated(graph("/{version}/me", true).query("fields", "id,name"), context)
                .context(context.orgId(), context.integrationId()).build(), classifier).json();
        return new Account(me.path("id").asText(), me.path("name").asText(null));
    }

    @Override
    public List<DiscoveredChannel> channels(CallContext context) {
        List<DiscoveredChannel> channels = new ArrayList<>();
        eachItem(context, "/{version}/me/accounts", PAGE_FIELDS, page -> {
            String pageId = page.path("id").asText();
            Optional<Secret> pageToken = Optional.ofNullable(page.path("access_token").asText(null)).map(Secret::of);
            channels.add(new DiscoveredChannel("facebook_page", pageId, page.path("name").asText(null), pageToken,
                    Optional.empty(), Map.of("category", page.path("category").asText(""))));
            JsonNode ig = page.path("instagram_business_account");
            if (ig.hasNonNull("id")) {
                channels.add(new DiscoveredChannel("instagram_business", ig.path("id").asText(),
                        ig.path("username").asText(ig.path("name").asText(null)), Optional.empty(), Optional.of(pageId),
                        Map.of()));
            }
        });
        return channels;
    }

    @Override
    public List<DiscoveredAdAccount> adAccounts(CallContext context) {
        List<DiscoveredAdAccount> accounts = new ArrayList<>();
        eachItem(context, "/{version}/me/adaccounts", AD_ACCOUNT_FIELDS, a -> {
            int status = a.path("account_status").asInt(0);
            accounts.add(new DiscoveredAdAccount(a.path("id").asText(), a.path("name").asText(null),
                    a.path("currency").asText(null), a.path("timezone_name").asText(null),
                    MetaAccountStatus.readable(status), String.valueOf(status), false, Optional.empty()));
        });
        return accounts;
    }

    /**
     * The appsecret_proof Graph API takes beside a token when the app requires it ("Require App
     * Secret" in the app's settings): HMAC-SHA256 of the token keyed with the app secret, in hex. Only
     * computed here, so an application never needs the app secret. None without a configured secret.
     */
    @Override
    public Map<String, String> credentialExtras(CallContext context) {
        if (settings.clientSecret().isBlank()) {
            return Map.of();
        }
        return Map.of("appsecret_proof", appsecretProof(settings.clientSecret(), context.accessToken()));
    }

    static String appsecretProof(String appSecret, Secret token) {
        return java.util.HexFormat.of().formatHex(io.cmis.platform.platforms.Signatures.hmacSha256(appSecret,
                token.reveal().getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    }

    @Override
    public PlatformRequest.Builder authenticate(PlatformRequest.Builder request, ProxyApi api, CallContext context) {
        return authenticated(request, context);
    }

    /**
     * The business object a proxied Graph path starts with, as the scopes Meta's business-use-case
     * throttle is recorded on ({@link MetaClassifier#objectScope}): {@code act_<id>} is an ad account; a
     * bare numeric id may be a page, an Instagram account or another object (Graph ids are unique
     * across kinds, so a limit on any of the three with this id is a limit on this object).
     */
    @Override
    public List<String> proxyLimitScopes(ProxyApi api, String method, String path, CallContext context) {
        String first = firstSegment(path);
        if (first.matches("act_\\d+")) {
            return List.of(MetaClassifier.objectScope("ads_management", first));
        }
        if (first.matches("\\d+")) {
            return List.of(MetaClassifier.objectScope("pages", first), MetaClassifier.objectScope("instagram", first),
                    MetaClassifier.objectScope("", first));
        }
        return List.of();
    }

    static String firstSegment(String path) {
        String bare = path.split("[?#]", 2)[0];
        for (String segment : bare.split("/")) {
            if (!segment.isEmpty()) {
                return segment;
            }
        }
        return "";
    }

    /**
     * How every call with a user's token is authenticated, the connector's own and proxied ones alike:
     * the token as a bearer and, when an app secret is configured, its {@code appsecret_proof} — which
     * an app with "Require App Secret" on needs on every call made with a user token, and which Meta
     * recommends for every server-side call anyway (it proves the caller holds the app secret, so a
     * leaked token alone is not enough).
     */
    private PlatformRequest.Builder authenticated(PlatformRequest.Builder request, CallContext context) {
        request.bearer(context.accessToken());
        credentialExtras(context).forEach((name, value) -> request.secretQuery(name, Secret.of(value)));
        return request;
    }

    @Override
    public ResponseClassifier classifier() {
        return classifier;
    }

    @Override
    public io.cmis.platform.platforms.WebhookSupport webhooks() {
        return webhooks;
    }

    /**
     * Cursor paging to the real end: a page without {@code paging.next} is the last (a short or even
     * empty page with {@code next} is not). The {@code next} URL itself carries the token, so only
     * its cursor is taken.
     */
    private void eachItem(CallContext context, String edge, String fields, Consumer<JsonNode> item) {
        String after = null;
        do {
            JsonNode page = http.execute(authenticated(graph(edge, true)
                    .query("fields", fields)
                    .query("limit", String.valueOf(PAGE_SIZE))
                    .query("after", after), context)
                    .context(context.orgId(), context.integrationId())
                    .build(), classifier).json();
            page.path("data").forEach(item);
            JsonNode paging = page.path("paging");
            after = paging.hasNonNull("next") ? paging.path("cursors").path("after").asText(null) : null;
        } while (after != null);
    }

    private PlatformRequest.Builder graph(String endpoint, boolean read) {
        PlatformRequest.Builder builder = read
                ? PlatformRequest.get(ID, settings.graphUrl(), endpoint)
                : PlatformRequest.get(ID, settings.graphUrl(), endpoint).idempotent(false);
        return builder.path("version", settings.apiVersion());
    }
}
