package io.cmis.platform.platforms.google;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.URI;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * Google: one OAuth grant for Google Ads and YouTube. Access tokens last an hour and are renewed
 * with the refresh token, which Google does not rotate; {@code invalid_grant} means reconnect.
 */
final class GoogleConnector implements PlatformConnector {
    static final String ADS = "ads";
    static final String YOUTUBE = "youtube";
    /** {@code /customers/1234567890/...} or {@code /customers/1234567890:mutate}: the customer a call is about. */
    private static final java.util.regex.Pattern CUSTOMER_PATH =
            java.util.regex.Pattern.compile("/?customers/(\\d{10})(?:[/:?#].*)?");
    static final String ID = "google";
    private static final Logger log = LoggerFactory.getLogger(GoogleConnector.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    static final String HIERARCHY_QUERY = "SELECT customer_client.client_customer, customer_client.level, "
            + "customer_client.manager, customer_client.descriptive_name, customer_client.currency_code, "
            + "customer_client.time_zone, customer_client.id, customer_client.status "
            + "FROM customer_client WHERE customer_client.level <= 1";

    /**
     * The facts: one user token renewed by its refresh token; PKCE, with offline access and consent
     * every time (Google returns a refresh token only then); the Ads API at the configured version
     * ({@code /customers/123/googleAds:search}) and the YouTube Data API ({@code /channels?mine=true}).
     */
    static final PlatformDescriptor DESCRIPTOR = new PlatformDescriptor(ID, "Google",
            List.of(new PlatformDescriptor.TokenKind("user", RefreshMode.REFRESH_TOKEN, true)),
            // Both document X-HTTP-Method-Override (Google's own Java client sends PATCH that way over
            // the JDK's transport), so a proxied PATCH reaches them.
            List.of(PlatformDescriptor.ApiBase.of(ADS, "{google.ads-url}/{google.ads-api-version}").withMethodOverride(),
                    PlatformDescriptor.ApiBase.of(YOUTUBE, "{google.youtube-url}").withMethodOverride()));

    private final PlatformDescriptor descriptor;
    private final GoogleSettings settings;
    private final GuardedHttpClient http;
    private final Clock clock;
    private final GoogleClassifier classifier;
    private final GoogleWebhooks webhooks;

    GoogleConnector(PlatformDescriptor descriptor, GoogleSettings settings, GuardedHttpClient http, Clock clock) {
        this.descriptor = descriptor;
        this.settings = settings;
        this.http = http;
        this.clock = clock;
        this.classifier = new GoogleClassifier(clock);
        this.webhooks = new GoogleWebhooks(settings, http, classifier, clock);
    }

    @Override
    public PlatformDescriptor descriptor() {
        return descriptor;
    }

    @Override
    public URI authorizationUrl(AuthorizationRequest request) {
        return UriBuilder.of(settings.authUrl(), "")
                .param("client_id", settings.clientId())
                .param("redirect_uri", request.redirectUri())
                .param("response_type", "code")
                .param("scope", String.join(" ", request.scopes()))
                .param("access_type", "offline")
                .param("prompt", "consent")
                .param("include_granted_scopes", "true")
                .param("state", request.state())
                .param("code_challenge", request.codeChallenge().orElse(null))
                .param("code_challenge_method", request.codeChallenge().isPresent() ? "S256" : null)
                .build();
    }

    @Override
    public TokenGrant exchangeCode(CodeExchange exchange) {
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put("grant_type", "authorization_code");
        fields.put("client_id", settings.clientId());
        fields.put("redirect_uri", exchange.redirectUri());
        Map<String, Secret> secrets = new LinkedHashMap<>();
        secrets.put("client_secret", Secret.of(settings.clientSecret()));
        secrets.put("code", exchange.code());
        exchange.codeVerifier().ifPresent(v -> secrets.put("code_verifier", v));
        JsonNode json = token(fields, secrets, exchange.orgId());
        if (!json.hasNonNull("refresh_token")) {
            throw new PermanentPlatformException(ID, "/token", "no_refresh_token",
                    "Google returned no refresh token; reconnect with consent (the URL asks for access_type=offline "
                            + "and prompt=consent; remove the app's access in the Google account first if it persists)");
        }
        return grant(json, Optional.empty());
    }

    @Override
    public TokenGrant refresh(StoredGrant grant) {
        Secret refreshToken = grant.refreshToken().orElseThrow(() -> new PermanentPlatformException(ID, "/token",
                "no_refresh_token", "the integration has no refresh token; reconnect it"));
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put("grant_type", "refresh_token");
        fields.put("client_id", settings.clientId());
        JsonNode json = token(fields, Map.of("client_secret", Secret.of(settings.clientSecret()),
                "refresh_token", refreshToken), grant.orgId());
        return grant(json, Optional.of(refreshToken));
    }

    private JsonNode token(Map<String, String> fields, Map<String, Secret> secrets, UUID orgId) {
        return http.execute(PlatformRequest.post(ID, settings.tokenUrl(), "").label("/token")
                .form(fields, secrets)
                .context(orgId, null)
                .build(), classifier).json();
    }

    /** Google keeps the refresh token; a new one in the answer (rare) replaces it. */
    private TokenGrant grant(JsonNode json, Optional<Secret> previousRefresh) {
        Instant now = clock.instant();
        Optional<Secret> refresh = json.hasNonNull("refresh_token")
                ? Optional.of(Secret.of(json.path("refresh_token").asText())) : previousRefresh;
        List<String> scopes = List.of(json.path("scope").asText("").split(" "));
        return new TokenGrant(Secret.of(json.path("access_token").asText()), refresh,
                Optional.of(now.plusSeconds(json.path("expires_in").asLong(3600))), Optional.empty(), "user",
                scopes.stream().filter(s -> !s.isEmpty()).toList(), IdToken.subject(json.path("id_token").asText("")),
                Map.of());
    }

    @Override
    public Account identify(CallContext context) {
        JsonNode me = http.execute(PlatformRequest.get(ID, settings.userinfoUrl(), "").label("/userinfo").bearer(context.accessToken())
                .context(context.orgId(), context.integrationId()).build(), classifier).json();
        return new Account(me.path("sub").asText(), me.path("email").asText(me.path("name").asText(null)));
    }

    @Override
    public List<DiscoveredChannel> channels(CallContext context) {
        List<DiscoveredChannel> channels = new ArrayList<>();
        String pageToken = null;
        do {
            JsonNode page = http.execute(authenticated(PlatformRequest.get(ID, settings.youtubeUrl(), "/channels"), false, context)
                    .query("part", "snippet")
                    .query("mine", "true")
                    .query("maxResults", "50")
                    .query("pageToken", pageToken)
                    .limitedBy(GoogleClassifier.YOUTUBE_SCOPE)
                    .context(context.orgId(), context.integrationId())
                    .build(), classifier).json();
            for (JsonNode item : page.path("items")) {
                JsonNode snippet = item.path("snippet");
                channels.add(new DiscoveredChannel("youtube_channel", item.path("id").asText(),
                        snippet.path("title").asText(null), Optional.empty(), Optional.empty(),
                        Map.of("custom_url", snippet.path("customUrl").asText(""))));
            }
            pageToken = page.path("nextPageToken").asText(null);
        } while (pageToken != null && !pageToken.isEmpty());
        return channels;
    }

    /**
     * Every customer the user reaches, directly or through managers: each accessible customer is
     * asked for its {@code customer_client} rows (itself and its direct children), and managers
     * among the children are walked in turn, through the accessible customer as login customer.
     */
    @Override
    public List<DiscoveredAdAccount> adAccounts(CallContext context) {
        Map<String, DiscoveredAdAccount> found = new LinkedHashMap<>();
        Set<String> kept = new LinkedHashSet<>();
        RateLimitExceededException firstLimit = null;
        for (String root : accessibleCustomers(context)) {
            Deque<String> managers = new ArrayDeque<>(List.of(root));
            Set<String> walked = new LinkedHashSet<>();
            while (!managers.isEmpty()) {
                String customer = managers.pop();
                if (!walked.add(customer)) {
                    continue;
                }
                try {
                    for (JsonNode row : search(context, customer, settings.loginCustomerId().orElse(root))) {
                        JsonNode client = row.path("customerClient");
                        String id = client.path("id").asText();
                        boolean manager = client.path("manager").asBoolean(false);
                        boolean self = client.path("level").asInt(0) == 0;
                        found.putIfAbsent(id, account(client, self ? Optional.empty() : Optional.of(customer)));
                        if (!self && manager) {
                            managers.push(id);
                        }
                    }
                } catch (RateLimitExceededException e) {
                    // One customer's own quota holds back that customer (and what is under it) only.
                    String own = GoogleClassifier.CUSTOMER_SCOPE + customer;
                    if (!e.limits().stream().allMatch(l -> l.scope().equals(own))) {
                        throw e;
                    }
                    kept.add(customer);
                    firstLimit = firstLimit == null ? e : firstLimit;
                } catch (PermanentPlatformException e) {
                    // e.g. CUSTOMER_NOT_ENABLED for a cancelled account: the others still count
                    log.warn("skipping Google Ads customer {}: {}", customer, e.getMessage());
                }
            }
        }
        if (firstLimit != null) {
            throw new ObjectRateLimitedException(firstLimit, new ArrayList<>(found.values()), kept);
        }
        return new ArrayList<>(found.values());
    }

    private List<String> accessibleCustomers(CallContext context) {
        JsonNode json = http.execute(ads(PlatformRequest.get(ID, settings.adsUrl(),
                "/{version}/customers:listAccessibleCustomers"), context).limitedBy(GoogleClassifier.PROJECT_SCOPE).build(),
                classifier).json();
        List<String> ids = new ArrayList<>();
        json.path("resourceNames").forEach(n -> ids.add(n.asText().replace("customers/", "")));
        return ids;
    }

    private List<JsonNode> search(CallContext context, String customer, String loginCustomer) {
        List<JsonNode> rows = new ArrayList<>();
        String pageToken = null;
        do {
            ObjectNode body = JSON.createObjectNode().put("query", HIERARCHY_QUERY);
            if (pageToken != null) {
                body.put("pageToken", pageToken);
            }
            JsonNode page = http.execute(ads(PlatformRequest.post(ID, settings.adsUrl(),
                            "/{version}/customers/{customerId}/googleAds:search"), context)
                    .path("customerId", customer)
                    .header("login-customer-id", loginCustomer)
                    .json(body.toString())
                    .idempotent(true)
                    .limitedBy(GoogleClassifier.CUSTOMER_SCOPE + customer, GoogleClassifier.PROJECT_SCOPE)
                    .build(), classifier).json();
            page.path("results").forEach(rows::add);
            pageToken = page.path("nextPageToken").asText(null);
        } while (pageToken != null && !pageToken.isEmpty());
        return rows;
    }

    private PlatformRequest.Builder ads(PlatformRequest.Builder builder, CallContext context) {
        return authenticated(builder.path("version", settings.adsApiVersion()), true, context)
                .context(context.orgId(), context.integrationId());
    }

    /**
     * How every call with the user's token is authenticated, the connector's own and proxied ones: the
     * bearer token and, on the Ads API only, the developer token when configured (YouTube has none).
     */
    private PlatformRequest.Builder authenticated(PlatformRequest.Builder builder, boolean ads, CallContext context) {
        builder.bearer(context.accessToken());
        if (ads) {
            settings.developerToken().ifPresent(t -> builder.secretHeader("developer-token", Secret.of(t)));
        }
        return builder;
    }

    /**
     * The connector's own authentication; a proxied Ads call also names the configured manager as
     * {@code login-customer-id} (the connector's own searches name the manager they walk), so a
     * client account reached only through it answers.
     */
    @Override
    public PlatformRequest.Builder authenticate(PlatformRequest.Builder request, ProxyApi api, CallContext context) {
        boolean ads = api.name().equals(ADS);
        authenticated(request, ads, context);
        if (ads) {
            settings.loginCustomerId().ifPresent(login -> request.header("login-customer-id", login));
        }
        return request;
    }

    /**
     * The scopes the connector's own calls declare: every Ads call the project's (developer token)
     * quota and, under {@code /customers/{id}}, that customer's; every YouTube call the YouTube quota.
     */
    @Override
    public List<String> proxyLimitScopes(ProxyApi api, String method, String path, CallContext context) {
        if (api.name().equals(YOUTUBE)) {
            return List.of(GoogleClassifier.YOUTUBE_SCOPE);
        }
        java.util.regex.Matcher customer = CUSTOMER_PATH.matcher(path);
        return customer.matches()
                ? List.of(GoogleClassifier.CUSTOMER_SCOPE + customer.group(1), GoogleClassifier.PROJECT_SCOPE)
                : List.of(GoogleClassifier.PROJECT_SCOPE);
    }

    private static DiscoveredAdAccount account(JsonNode client, Optional<String> manager) {
        String status = client.path("status").asText("UNKNOWN");
        return new DiscoveredAdAccount(client.path("id").asText(), client.path("descriptiveName").asText(null),
                client.path("currencyCode").asText(null), client.path("timeZone").asText(null),
                readable(status), status, client.path("manager").asBoolean(false), manager);
    }

    private static final Map<String, String> STATUSES = new HashMap<>(Map.of(
            "ENABLED", "active", "CANCELED", "closed", "CLOSED", "closed", "SUSPENDED", "disabled"));

    private static String readable(String status) {
        return STATUSES.getOrDefault(status, status.toLowerCase(Locale.ROOT));
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
