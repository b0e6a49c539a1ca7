package io.cmis.platform.platforms.tiktok;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
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
import io.cmis.platform.platforms.ObjectRateLimitedException;
import io.cmis.platform.platforms.PermanentPlatformException;
import io.cmis.platform.platforms.PlatformConnector;
import io.cmis.platform.platforms.PlatformDescriptor;
import io.cmis.platform.platforms.ProxyApi;
import io.cmis.platform.platforms.RateLimitExceededException;
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
import java.util.UUID;

/**
 * TikTok for Business. Two kinds of token: {@code advertiser} (Marketing API; long-term, no
 * expiry, no refresh, ends only by revocation) and {@code tt_user} (TikTok account holders; short
 * access token and a <em>rotating</em> refresh token that must be stored each time).
 */
final class TikTokConnector implements PlatformConnector {
    static final String ID = "tiktok";
    static final String ADVERTISER = "advertiser";
    static final String ACCOUNT_HOLDER = "tt_user";
    /** {@code advertiser/info/} takes at most 100 ids a call. */
    static final int INFO_BATCH = 100;
    private static final String API = "/open_api/v1.3";
    static final String BUSINESS = "business";
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * The facts: the advertiser token (the default) never expires; the TikTok account holder's token
     * rotates its refresh token and its authorization takes PKCE; the Business API at v1.3, a proxied
     * path relative to it ({@code /campaign/get/}).
     */
    static final PlatformDescriptor DESCRIPTOR = new PlatformDescriptor(ID, "TikTok",
            List.of(PlatformDescriptor.TokenKind.of(ADVERTISER, RefreshMode.NEVER_EXPIRES),
                    new PlatformDescriptor.TokenKind(ACCOUNT_HOLDER, RefreshMode.ROTATING_REFRESH_TOKEN, true)),
            List.of(PlatformDescriptor.ApiBase.of(BUSINESS, "{tiktok.api-url}" + API)));

    private final PlatformDescriptor descriptor;
    private final TikTokSettings settings;
    private final GuardedHttpClient http;
    private final Clock clock;
    private final TikTokClassifier classifier = new TikTokClassifier();
    private final TikTokWebhooks webhooks;

    TikTokConnector(PlatformDescriptor descriptor, TikTokSettings settings, GuardedHttpClient http, Clock clock) {
        this.descriptor = descriptor;
        this.settings = settings;
        this.http = http;
        this.clock = clock;
        this.webhooks = new TikTokWebhooks(settings, clock);
    }

    @Override
    public PlatformDescriptor descriptor() {
        return descriptor;
    }

    @Override
    public URI authorizationUrl(AuthorizationRequest request) {
        if (ACCOUNT_HOLDER.equals(request.tokenKind())) {
            return UriBuilder.of(settings.accountAuthUrl(), "")
                    .param("client_key", settings.appId())
                    .param("scope", String.join(",", request.scopes()))
                    .param("response_type", "code")
                    .param("redirect_uri", request.redirectUri())
                    .param("state", request.state())
                    .param("code_challenge", request.codeChallenge().orElse(null))
                    .param("code_challenge_method", request.codeChallenge().isPresent() ? "S256" : null)
                    .build();
        }
        return UriBuilder.of(settings.authUrl(), "/portal/auth")
                .param("app_id", settings.appId())
                .param("state", request.state())
                .param("redirect_uri", request.redirectUri())
                .build();
    }

    @Override
    public TokenGrant exchangeCode(CodeExchange exchange) {
        if (ACCOUNT_HOLDER.equals(exchange.tokenKind())) {
            ObjectNode body = JSON.createObjectNode()
                    .put("client_id", settings.appId())
                    .put("client_secret", settings.secret())
                    .put("grant_type", "authorization_code")
                    .put("auth_code", exchange.code().reveal())
                    .put("redirect_uri", exchange.redirectUri());
            exchange.codeVerifier().ifPresent(v -> body.put("code_verifier", v.reveal()));
            return accountHolderGrant(post("/tt_user/oauth2/token/", body, exchange.orgId()));
        }
        ObjectNode body = JSON.createObjectNode()
                .put("app_id", settings.appId())
                .put("secret", settings.secret())
                .put("auth_code", exchange.code().reveal());
        JsonNode data = post("/oauth2/access_token/", body, exchange.orgId()).path("data");
        List<String> advertisers = new ArrayList<>();
        data.path("advertiser_ids").forEach(a -> advertisers.add(a.asText()));
        List<String> scopes = new ArrayList<>();
        data.path("scope").forEach(s -> scopes.add(s.asText()));
        return new TokenGrant(Secret.of(data.path("access_token").asText()), Optional.empty(), Optional.empty(),
                Optional.empty(), ADVERTISER, scopes, advertisers.stream().findFirst(),
                Map.of("advertiser_ids", advertisers));
    }

    /** Only account-holder tokens refresh; the answer's refresh token replaces the old one, which is now dead. */
    @Override
    public TokenGrant refresh(StoredGrant grant) {
        if (!ACCOUNT_HOLDER.equals(grant.tokenKind())) {
            throw new PermanentPlatformException(ID, API + "/tt_user/oauth2/refresh_token/", "40107",
                    "advertiser tokens do not expire and cannot be refreshed");
        }
        Secret refreshToken = grant.refreshToken().orElseThrow(() -> new PermanentPlatformException(ID,
                API + "/tt_user/oauth2/refresh_token/", "no_refresh_token", "no refresh token stored; reconnect"));
        ObjectNode body = JSON.createObjectNode()
                .put("client_id", settings.appId())
                .put("client_secret", settings.secret())
                .put("grant_type", "refresh_token")
                .put("refresh_token", refreshToken.reveal());
        return accountHolderGrant(post("/tt_user/oauth2/refresh_token/", body, grant.orgId()));
    }

    private TokenGrant accountHolderGrant(JsonNode response) {
        JsonNode data = response.path("data");
        Instant now = clock.instant();
        Optional<Instant> expires = data.hasNonNull("expires_in")
                ? Optional.of(now.plusSeconds(data.path("expires_in").asLong())) : Optional.empty();
        Optional<Instant> refreshExpires = data.hasNonNull("refresh_token_expires_in")
                ? Optional.of(now.plusSeconds(data.path("refresh_token_expires_in").asLong())) : Optional.empty();
        Optional<Secret> refresh = Optional.ofNullable(data.path("refresh_token").asText(null)).map(Secret::of);
        List<String> scopes = List.of(data.path("scope").asText("").split(","));
        return new TokenGrant(Secret.of(data.path("access_token").asText()), refresh, expires, refreshExpires,
                ACCOUNT_HOLDER, scopes.stream().filter(s -> !s.isEmpty()).toList(),
                Optional.ofNullable(data.path("open_id").asText(null)), Map.of());
    }

    @Override
    public Account identify(CallContext context) {
        if (ACCOUNT_HOLDER.equals(context.tokenKind())) {
            JsonNode profile = accountProfile(context);
            return new Account(profile.path("open_id").asText(null), profile.path("display_name").asText(null));
        }
        List<JsonNode> advertisers = authorizedAdvertisers(context);
        if (advertisers.isEmpty()) {
            throw new PermanentPlatformException(ID, API + "/oauth2/advertiser/get/", "no_advertiser",
                    "the token authorizes no advertiser");
        }
        return new Account(advertisers.get(0).path("advertiser_id").asText(),
                advertisers.get(0).path("advertiser_name").asText(null));
    }

    /** A TikTok account is a channel only for account-holder tokens. */
    @Override
    public List<DiscoveredChannel> channels(CallContext context) {
        if (!ACCOUNT_HOLDER.equals(context.tokenKind())) {
            return List.of();
        }
        JsonNode profile = accountProfile(context);
        String openId = profile.path("open_id").asText(null);
        if (openId == null) {
            return List.of();
        }
        return List.of(new DiscoveredChannel("tiktok_account", openId,
                profile.path("display_name").asText(profile.path("username").asText(null)), Optional.empty(),
                Optional.empty(), Map.of("username", profile.path("username").asText(""))));
    }

    @Override
    public List<DiscoveredAdAccount> adAccounts(CallContext context) {
        if (!ADVERTISER.equals(context.tokenKind())) {
            return List.of();
        }
        List<String> ids = authorizedAdvertisers(context).stream().map(a -> a.path("advertiser_id").asText()).toList();
        List<DiscoveredAdAccount> accounts = new ArrayList<>();
        java.util.Set<String> kept = new java.util.LinkedHashSet<>();
        RateLimitExceededException firstLimit = null;
        for (int from = 0; from < ids.size(); from += INFO_BATCH) {
            List<String> ofBatch = ids.subList(from, Math.min(ids.size(), from + INFO_BATCH));
            ArrayNode batch = JSON.createArrayNode();
            ofBatch.forEach(batch::add);
            JsonNode data;
            try {
                data = http.execute(api(PlatformRequest.get(ID, settings.apiUrl(), API + "/advertiser/info/"), context)
                        .limitedBy(ofBatch.stream().map(id -> TikTokClassifier.ADVERTISER_SCOPE + id)
                                .toArray(String[]::new))
                        .query("advertiser_ids", batch.toString())
                        .query("fields", "[\"advertiser_id\",\"name\",\"currency\",\"timezone\",\"status\"]")
                        .build(), classifier).json().path("data");
            } catch (RateLimitExceededException e) {
                // 40133 is per advertiser: this batch keeps what was stored of it, the next batches go on.
                if (!e.limits().stream().allMatch(l -> ofBatch.stream()
                        .anyMatch(id -> l.scope().equals(TikTokClassifier.ADVERTISER_SCOPE + id)))) {
                    throw e;
                }
                kept.addAll(ofBatch);
                firstLimit = firstLimit == null ? e : firstLimit;
                continue;
            }
            for (JsonNode a : data.path("list")) {
                String status = a.path("status").asText("UNKNOWN");
                accounts.add(new DiscoveredAdAccount(a.path("advertiser_id").asText(), a.path("name").asText(null),
                        a.path("currency").asText(null), a.path("timezone").asText(null), TikTokStatus.readable(status),
                        status, false, Optional.empty()));
            }
        }
        if (firstLimit != null) {
            throw new ObjectRateLimitedException(firstLimit, accounts, kept);
        }
        return accounts;
    }

    private List<JsonNode> authorizedAdvertisers(CallContext context) {
        JsonNode data = http.execute(api(PlatformRequest.get(ID, settings.apiUrl(), API + "/oauth2/advertiser/get/"), context)
                .query("app_id", settings.appId())
                .secretQuery("secret", Secret.of(settings.secret()))
                .build(), classifier).json().path("data");
        List<JsonNode> list = new ArrayList<>();
        data.path("list").forEach(list::add);
        return list;
    }

    private JsonNode accountProfile(CallContext context) {
        return http.execute(api(PlatformRequest.get(ID, settings.apiUrl(), API + "/business/get/"), context)
                .query("business_id", context.accountId())
                .query("fields", "[\"open_id\",\"username\",\"display_name\"]")
                .build(), classifier).json().path("data");
    }

    @Override
    public PlatformRequest.Builder authenticate(PlatformRequest.Builder request, ProxyApi api, CallContext context) {
        return api(request, context);
    }

    /**
     * TikTok limits each endpoint app-wide (40100 is recorded on the endpoint, as the connector's own
     * calls see it: {@code endpoint:/open_api/v1.3/...}) and, with 40133, each advertiser: an
     * {@code advertiser_id} or {@code advertiser_ids} in the query names those.
     */
    @Override
    public List<String> proxyLimitScopes(ProxyApi api, String method, String path, CallContext context) {
        String[] parts = path.split("\\?", 2);
        String endpoint = parts[0].startsWith("/") ? parts[0] : "/" + parts[0];
        List<String> scopes = new ArrayList<>();
        scopes.add(io.cmis.platform.http.RateLimitScopes.endpoint(API + endpoint));
        if (parts.length == 2) {
            for (String pair : parts[1].split("&")) {
                String[] kv = pair.split("=", 2);
                String name = formDecode(kv[0]);
                String value = kv.length < 2 ? "" : formDecode(kv[1]);
                if (name.equals("advertiser_id") && value.matches("\\d+")) {
                    scopes.add(TikTokClassifier.ADVERTISER_SCOPE + value);
                } else if (name.equals("advertiser_ids")) {
                    java.util.regex.Matcher ids = java.util.regex.Pattern.compile("\\d+").matcher(value);
                    while (ids.find()) {
                        scopes.add(TikTokClassifier.ADVERTISER_SCOPE + ids.group());
                    }
                }
            }
        }
        return scopes;
    }

    /** A malformed escape names nothing (the platform will answer the call as it sees fit). */
    private static String formDecode(String text) {
        try {
            return java.net.URLDecoder.decode(text, java.nio.charset.StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return "";
        }
    }

    /** How every call with an integration's token is authenticated, the connector's own and proxied ones. */
    private PlatformRequest.Builder api(PlatformRequest.Builder builder, CallContext context) {
        return builder.secretHeader("Access-Token", context.accessToken())
                .context(context.orgId(), context.integrationId());
    }

    private JsonNode post(String endpoint, ObjectNode body, UUID orgId) {
        return http.execute(PlatformRequest.post(ID, settings.apiUrl(), API + endpoint)
                .json(body.toString())
                .context(orgId, null)
                .build(), classifier).json();
    }

    @Override
    public ResponseClassifier classifier() {
        return classifier;
    }

    @Override
    public io.cmis.platform.platforms.WebhookSupport webhooks() {
        return webhooks;
    }
}
