package io.cmis.platform.platforms;

import com.fasterxml.jackson.databind.JsonNode;
import io.cmis.platform.crypto.Secret;
import io.cmis.platform.http.PlatformRequest;
import io.cmis.platform.http.PlatformResponse;
import io.cmis.platform.support.PlatformTestBed;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.UnaryOperator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The platform side of serve's proxy: each connector's proxied APIs, a proxied call authenticated by
 * {@link PlatformConnector#authenticate} going over real HTTP through the guarded client to the
 * platform's simulator, which checks the authentication as the platform does (so a call the
 * connector authenticated wrongly, or one tampered with, is refused), and the limit scopes read from
 * a proxied path.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ProxyConnectorTest {
    /** The integration a proxied call is made for, where only LinkedIn's scopes read it (its member). */
    private static final CallContext ANY = new CallContext(UUID.randomUUID(), UUID.randomUUID(), "member",
            Secret.of("token"), "urn:li:person:m1");
    private PlatformTestBed bed;

    @BeforeAll
    void startBed() {
        bed = new PlatformTestBed();
    }

    @AfterAll
    void stopBed() {
        bed.close();
    }

    // ---- Meta

    @Test
    void metaDeclaresTheGraphApiAtTheConfiguredVersion() {
        assertThat(bed.registry().get("meta").proxyApis())
                .containsExactly(ProxyApi.of("graph", bed.sandbox.meta().baseUrl() + "/v25.0"));
    }

    @Test
    void metaProxiedCallsCarryTheTokenAndItsAppsecretProof() {
        CallContext context = metaContext();
        int before = bed.sandbox.meta().requests("/v25\\.0/act_1000000001/campaigns");
        JsonNode get = call("meta", "graph", context, "GET", "/act_1000000001/campaigns?fields=id,name&limit=5",
                null, null, UnaryOperator.identity()).json();
        assertThat(get.path("method").asText()).isEqualTo("GET");
        assertThat(get.path("path").asText()).isEqualTo("/v25.0/act_1000000001/campaigns");
        assertThat(get.path("query").asText()).startsWith("fields=id,name&limit=5&appsecret_proof=");
        JsonNode post = call("meta", "graph", context, "POST", "/act_1000000001/campaigns", "application/json",
                "{\"name\":\"Spring\"}", UnaryOperator.identity()).json();
        assertEcho(post, "POST", "{\"name\":\"Spring\"}");
        assertThat(bed.sandbox.meta().requests("/v25\\.0/act_1000000001/campaigns")).isEqualTo(before + 2);
    }

    @Test
    void metaThrottlesAProxiedCallOnItsAdAccountAsTheScopeTheConnectorDeclares() {
        CallContext context = metaContext();
        bed.sandbox.meta().throttleAdAccount("act_1000000777", java.time.Duration.ofMinutes(5));
        assertThatThrownBy(() -> call("meta", "graph", context, "GET", "/act_1000000777/insights", null, null,
                UnaryOperator.identity())).isInstanceOfSatisfying(RateLimitExceededException.class, e ->
                assertThat(e.limits()).anySatisfy(l -> assertThat(l.scope()).isIn(bed.registry().get("meta")
                        .proxyLimitScopes(bed.registry().get("meta").proxyApis().get(0), "GET", "/act_1000000777/insights", ANY))));
    }

    @Test
    void metaRefusesAProxiedCallWithoutOrWithAWrongProofOrToken() {
        CallContext context = metaContext();
        // The bearer alone (what the connector's own calls sent before): "Require App Secret" refuses it.
        assertThatThrownBy(() -> bed.http().execute(PlatformRequest.get("meta", graphBase(), "/act_1/campaigns")
                .label("proxy:test").bearer(context.accessToken()).build(), bed.registry().get("meta").classifier()))
                .isInstanceOf(PlatformException.class).hasMessageContaining("appsecret_proof");
        assertThatThrownBy(() -> call("meta", "graph", context, "GET", "/act_1/campaigns", null, null,
                b -> b.secretQuery("appsecret_proof", Secret.of("00" + "ab".repeat(31)))))
                .isInstanceOf(PlatformException.class).hasMessageContaining("Invalid appsecret_proof");
        CallContext stranger = new CallContext(UUID.randomUUID(), UUID.randomUUID(), "user", Secret.of("EAAL-forged"), null);
        assertThatThrownBy(() -> call("meta", "graph", stranger, "GET", "/act_1/campaigns", null, null,
                UnaryOperator.identity())).isInstanceOf(ReauthRequiredException.class);
    }

    @Test
    void metaOwnCallsAreAuthenticatedTheSameWay() {
        CallContext context = metaContext();
        bed.sandbox.meta().requireAppSecret(true);
        try {
            assertThat(bed.registry().get("meta").identify(context).externalId()).isNotBlank();
            assertThat(bed.registry().get("meta").adAccounts(context)).isNotEmpty();
        } finally {
            bed.sandbox.meta().requireAppSecret(false);
        }
    }

    @Test
    void metaLimitScopesAreTheBusinessObjectOfThePath() {
        PlatformConnector meta = bed.registry().get("meta");
        ProxyApi graph = meta.proxyApis().get(0);
        assertThat(meta.proxyLimitScopes(graph, "GET", "/act_123/insights?level=ad", ANY))
                .containsExactly("ad_account:act_123");
        assertThat(meta.proxyLimitScopes(graph, "POST", "/112233440001/feed", ANY))
                .containsExactly("page:112233440001", "instagram:112233440001", "object:112233440001");
        assertThat(meta.proxyLimitScopes(graph, "GET", "/me/adaccounts", ANY)).isEmpty();
    }

    // ---- TikTok

    @Test
    void tiktokDeclaresTheBusinessApi() {
        assertThat(bed.registry().get("tiktok").proxyApis())
                .containsExactly(ProxyApi.of("business", bed.sandbox.tiktok().baseUrl() + "/open_api/v1.3"));
    }

    @Test
    void tiktokProxiedCallsCarryTheAccessTokenHeader() {
        CallContext context = tiktokContext();
        int before = bed.sandbox.tiktok().requests("/open_api/v1\\.3/campaign/get/");
        JsonNode get = call("tiktok", "business", context, "GET", "/campaign/get/?advertiser_id=7000000000000000001",
                null, null, UnaryOperator.identity()).json();
        assertThat(get.path("query").asText()).isEqualTo("advertiser_id=7000000000000000001");
        JsonNode post = call("tiktok", "business", context, "POST", "/campaign/create/", "application/json",
                "{\"advertiser_id\":\"7000000000000000001\"}", UnaryOperator.identity()).json();
        assertEcho(post, "POST", "{\"advertiser_id\":\"7000000000000000001\"}");
        assertThat(bed.sandbox.tiktok().requests("/open_api/v1\\.3/campaign/get/")).isEqualTo(before + 1);
    }

    @Test
    void tiktokRefusesAProxiedCallWithAWrongOrNoToken() {
        CallContext forged = new CallContext(UUID.randomUUID(), UUID.randomUUID(), "advertiser", Secret.of("forged"), null);
        assertThatThrownBy(() -> call("tiktok", "business", forged, "GET", "/campaign/get/", null, null,
                UnaryOperator.identity())).isInstanceOf(ReauthRequiredException.class);
        assertThatThrownBy(() -> bed.http().execute(PlatformRequest.get("tiktok", bed.sandbox.tiktok().baseUrl()
                        + "/open_api/v1.3", "/campaign/get/").label("proxy:test").build(),
                bed.registry().get("tiktok").classifier()))
                .isInstanceOf(ReauthRequiredException.class).hasMessageContaining("40104");
    }

    @Test
    void tiktokLimitScopesAreTheEndpointAndItsAdvertisers() {
        PlatformConnector tiktok = bed.registry().get("tiktok");
        ProxyApi business = tiktok.proxyApis().get(0);
        assertThat(tiktok.proxyLimitScopes(business, "GET", "/advertiser/info/?advertiser_ids=%5B%22701%22%2C%22702%22%5D", ANY))
                .containsExactly("endpoint:/open_api/v1.3/advertiser/info/", "advertiser:701", "advertiser:702");
        assertThat(tiktok.proxyLimitScopes(business, "GET", "/campaign/get/?advertiser_id=703&page=%zz", ANY))
                .containsExactly("endpoint:/open_api/v1.3/campaign/get/", "advertiser:703");
    }

    // ---- Google

    @Test
    void googleDeclaresAdsAtTheConfiguredVersionAndYouTube() {
        String base = bed.sandbox.google().baseUrl();
        assertThat(bed.registry().get("google").proxyApis())
                .containsExactly(ProxyApi.of("ads", base + "/v26").withMethodOverride(),
                        ProxyApi.of("youtube", base + "/youtube/v3").withMethodOverride());
    }

    /** Only Google documents X-HTTP-Method-Override: a PATCH to any other platform is 405, never a POST. */
    @Test
    void onlyGoogleDeclaresAMethodOverride() {
        for (String platform : List.of("meta", "tiktok", "snapchat", "linkedin", "x")) {
            assertThat(bed.registry().get(platform).proxyApis()).as(platform).noneMatch(ProxyApi::methodOverride);
        }
    }

    @Test
    void googleProxiedAdsCallsCarryTheBearerAndTheDeveloperToken() {
        CallContext context = googleContext();
        String direct = "5000000001";
        JsonNode get = call("google", "ads", context, "GET", "/customers/" + direct + "/campaigns?fields=id",
                null, null, UnaryOperator.identity()).json();
        assertThat(get.path("path").asText()).isEqualTo("/v26/customers/" + direct + "/campaigns");
        String query = "{\"operations\":[{\"create\":{\"name\":\"Spring\"}}]}";
        JsonNode post = call("google", "ads", context, "POST", "/customers/" + direct + "/campaigns:mutate",
                "application/json", query, UnaryOperator.identity()).json();
        assertEcho(post, "POST", query);
        // A client account reached only through the manager: no login-customer-id configured, refused.
        assertThatThrownBy(() -> call("google", "ads", context, "GET", "/customers/2000000001/campaigns", null, null,
                UnaryOperator.identity())).isInstanceOf(PlatformException.class)
                .hasMessageContaining("permission to access customer");
    }

    @Test
    void googleProxiedAdsCallsNameTheConfiguredManager() {
        try (PlatformTestBed managed = new PlatformTestBed(Map.of("CMIS_GOOGLE_ADS_LOGIN_CUSTOMER_ID", "111-111-1111"))) {
            CallContext context = new CallContext(UUID.randomUUID(), UUID.randomUUID(), "user",
                    Secret.of(managed.sandbox.google().issueTokens()[0]), null);
            PlatformConnector google = managed.registry().get("google");
            ProxyApi ads = google.proxyApis().get(0);
            PlatformRequest.Builder request = PlatformRequest.get("google", ads.baseUrl(), "/customers/4000000001/campaigns")
                    .label("proxy:test").context(context.orgId(), context.integrationId());
            JsonNode echo = managed.http().execute(google.authenticate(request, ads, context).build(),
                    google.classifier()).json();
            assertThat(echo.path("path").asText()).isEqualTo("/v26/customers/4000000001/campaigns");
        }
    }

    @Test
    void googleRefusesAdsCallsWithoutOrWithAWrongDeveloperTokenOrBearer() {
        CallContext context = googleContext();
        String adsBase = bed.sandbox.google().baseUrl() + "/v26";
        PlatformConnector google = bed.registry().get("google");
        assertThatThrownBy(() -> bed.http().execute(PlatformRequest.get("google", adsBase, "/customers/5000000001/campaigns")
                .label("proxy:test").bearer(context.accessToken()).build(), google.classifier()))
                .isInstanceOf(PlatformException.class).hasMessageContaining("developer-token parameter is required");
        assertThatThrownBy(() -> call("google", "ads", context, "GET", "/customers/5000000001/campaigns", null, null,
                b -> b.secretHeader("developer-token", Secret.of("SandboxDevToken0000002"))))
                .isInstanceOf(PlatformException.class).hasMessageContaining("developer token is not valid");
        CallContext forged = new CallContext(UUID.randomUUID(), UUID.randomUUID(), "user", Secret.of("ya29.forged"), null);
        assertThatThrownBy(() -> call("google", "ads", forged, "GET", "/customers/5000000001/campaigns", null, null,
                UnaryOperator.identity())).isInstanceOf(PlatformException.class);
    }

    @Test
    void googleYouTubeCallsCarryTheBearerOnly() {
        CallContext context = googleContext();
        int before = bed.sandbox.google().requests("/youtube/v3/videos");
        JsonNode get = call("google", "youtube", context, "GET", "/videos?part=snippet&id=abc", null, null,
                UnaryOperator.identity()).json();
        assertThat(get.path("path").asText()).isEqualTo("/youtube/v3/videos");
        assertEcho(call("google", "youtube", context, "POST", "/playlists?part=snippet", "application/json", "{}",
                UnaryOperator.identity()).json(), "POST", "{}");
        assertThat(bed.sandbox.google().requests("/youtube/v3/videos")).isEqualTo(before + 1);
        CallContext forged = new CallContext(UUID.randomUUID(), UUID.randomUUID(), "user", Secret.of("ya29.forged"), null);
        assertThatThrownBy(() -> call("google", "youtube", forged, "GET", "/videos", null, null,
                UnaryOperator.identity())).isInstanceOf(PlatformException.class);
    }

    @Test
    void googleLimitScopesAreTheCustomerAndTheProject() {
        PlatformConnector google = bed.registry().get("google");
        ProxyApi ads = google.proxyApis().get(0);
        ProxyApi youtube = google.proxyApis().get(1);
        assertThat(google.proxyLimitScopes(ads, "POST", "/customers/1234567890/googleAds:search", ANY))
                .containsExactly("customer:1234567890", "project");
        assertThat(google.proxyLimitScopes(ads, "POST", "/customers/1234567890:mutate", ANY)).containsExactly("customer:1234567890", "project");
        assertThat(google.proxyLimitScopes(ads, "GET", "/customers:listAccessibleCustomers", ANY)).containsExactly("project");
        assertThat(google.proxyLimitScopes(youtube, "GET", "/channels?mine=true", ANY)).containsExactly("youtube");
    }

    // ---- Snapchat

    @Test
    void snapchatDeclaresTheAdsAndPublicProfileApis() {
        String base = bed.sandbox.snapchat().baseUrl();
        assertThat(bed.registry().get("snapchat").proxyApis())
                .containsExactly(ProxyApi.of("ads", base + "/v1"), ProxyApi.of("profiles", base + "/v1"));
        // Snapchat's throttle names no object: nothing beyond the app and the integration.
        PlatformConnector snapchat = bed.registry().get("snapchat");
        assertThat(snapchat.proxyLimitScopes(snapchat.proxyApis().get(0), "GET", "/adaccounts/a1/campaigns", ANY)).isEmpty();
    }

    @Test
    void snapchatProxiedCallsCarryTheBearer() {
        CallContext context = snapchatContext();
        int before = bed.sandbox.snapchat().requests("/v1/adaccounts/.*");
        JsonNode get = call("snapchat", "ads", context, "GET", "/adaccounts/a1/campaigns?limit=50", null, null,
                UnaryOperator.identity()).json();
        assertThat(get.path("path").asText()).isEqualTo("/v1/adaccounts/a1/campaigns");
        assertThat(get.path("query").asText()).isEqualTo("limit=50");
        String body = "{\"campaigns\":[{\"name\":\"Spring\"}]}";
        assertEcho(call("snapchat", "ads", context, "POST", "/adaccounts/a1/campaigns", "application/json", body,
                UnaryOperator.identity()).json(), "POST", body);
        assertThat(call("snapchat", "profiles", context, "GET", "/public_profiles/p1/stories", null, null,
                UnaryOperator.identity()).json().path("path").asText()).isEqualTo("/v1/public_profiles/p1/stories");
        assertThat(bed.sandbox.snapchat().requests("/v1/adaccounts/.*")).isEqualTo(before + 2);
    }

    @Test
    void snapchatRefusesAProxiedCallWithAWrongOrNoBearer() {
        CallContext forged = new CallContext(UUID.randomUUID(), UUID.randomUUID(), "user", Secret.of("0.forged"), null);
        assertThatThrownBy(() -> call("snapchat", "ads", forged, "GET", "/adaccounts/a1/campaigns", null, null,
                UnaryOperator.identity())).isInstanceOf(TokenExpiredException.class).hasMessageContaining("HTTP 401");
        assertThatThrownBy(() -> bed.http().execute(PlatformRequest.get("snapchat", bed.sandbox.snapchat().baseUrl() + "/v1",
                "/adaccounts/a1/campaigns").label("proxy:test").build(), bed.registry().get("snapchat").classifier()))
                .isInstanceOf(TokenExpiredException.class).hasMessageContaining("HTTP 401");
    }

    // ---- LinkedIn

    @Test
    void linkedinDeclaresTheRestApiWithTheVersionAndRestLiHeaders() {
        assertThat(bed.registry().get("linkedin").proxyApis()).containsExactly(new ProxyApi("rest",
                bed.sandbox.linkedin().baseUrl() + "/rest",
                Map.of("LinkedIn-Version", bed.config.value("linkedin.api-version"), "X-Restli-Protocol-Version", "2.0.0")));
    }

    @Test
    void linkedinProxiedCallsCarryTheBearerVersionAndProtocol() {
        CallContext context = linkedinContext();
        int before = bed.sandbox.linkedin().requests("/rest/adCampaigns");
        JsonNode get = call("linkedin", "rest", context, "GET", "/adCampaigns?q=search&search=(status:(values:List(ACTIVE)))",
                null, null, UnaryOperator.identity()).json();
        assertThat(get.path("query").asText()).isEqualTo("q=search&search=(status:(values:List(ACTIVE)))");
        String body = "{\"name\":\"Spring\"}";
        assertEcho(call("linkedin", "rest", context, "POST", "/adCampaigns", "application/json", body,
                UnaryOperator.identity()).json(), "POST", body);
        assertThat(bed.sandbox.linkedin().requests("/rest/adCampaigns")).isEqualTo(before + 2);
    }

    @Test
    void linkedinRefusesAProxiedCallWithoutTheVersionOrWithAWrongToken() {
        CallContext context = linkedinContext();
        String base = bed.sandbox.linkedin().baseUrl() + "/rest";
        PlatformConnector linkedin = bed.registry().get("linkedin");
        // The bearer alone, without the headers the connector attaches: LinkedIn wants its version.
        assertThatThrownBy(() -> bed.http().execute(PlatformRequest.get("linkedin", base, "/adCampaigns")
                .label("proxy:test").bearer(context.accessToken()).build(), linkedin.classifier()))
                .isInstanceOf(PlatformException.class).hasMessageContaining("LinkedIn-Version");
        assertThatThrownBy(() -> call("linkedin", "rest", context, "GET", "/adCampaigns", null, null,
                b -> b.header("X-Restli-Protocol-Version", "1.0.0")))
                .isInstanceOf(PlatformException.class).hasMessageContaining("Rest.li protocol 1.0");
        CallContext forged = new CallContext(UUID.randomUUID(), UUID.randomUUID(), "member", Secret.of("AQV-forged"), null);
        assertThatThrownBy(() -> call("linkedin", "rest", forged, "GET", "/adCampaigns", null, null,
                UnaryOperator.identity())).isInstanceOf(ReauthRequiredException.class).hasMessageContaining("INVALID_ACCESS_TOKEN");
    }

    @Test
    void linkedinLimitScopeIsTheEndpointAsTheConnectorNamesIt() {
        PlatformConnector linkedin = bed.registry().get("linkedin");
        ProxyApi rest = linkedin.proxyApis().get(0);
        assertThat(linkedin.proxyLimitScopes(rest, "GET", "/adAccounts/508123?fields=id", ANY))
                .as("the connector's own lookup of one account is /rest/adAccounts/{id}")
                .containsExactly("endpoint:/rest/adAccounts", "endpoint:/rest/adAccounts/{id}",
                        "member:urn:li:person:m1:/rest/adAccounts/{id}", "member:urn:li:person:m1:/rest/adAccounts");
        assertThat(linkedin.proxyLimitScopes(rest, "GET", "/organizations?ids=List(1,2)", ANY))
                .containsExactly("endpoint:/rest/organizations", "member:urn:li:person:m1:/rest/organizations");
        assertThat(linkedin.proxyLimitScopes(rest, "POST", "adAccounts/(id:508123)/adCampaigns", ANY))
                .containsExactly("endpoint:/rest/adAccounts", "member:urn:li:person:m1:/rest/adAccounts");
    }

    // ---- X

    @Test
    void xDeclaresTheAdsApiAtTheConfiguredVersion() {
        assertThat(bed.registry().get("x").proxyApis())
                .containsExactly(ProxyApi.of("ads", bed.sandbox.x().baseUrl() + "/12"));
    }

    @Test
    void xSignsARawQueryThatNeedsPercentEncodingWithRepeatedParameters() {
        CallContext context = xContext();
        // (An empty value "k=" goes out as "k" through the HTTP client; both sign alike, see OAuth1ProxiedQueryTest.)
        String query = "q=caf%C3%A9%20cr%C3%A8me&name=a%2Ab~c%21d%2Be%2B&ids=2&ids=1&sort=~x";
        int before = bed.sandbox.x().requests("/12/accounts/18ce50x/campaigns");
        PlatformResponse response = call("x", "ads", context, "GET", "/accounts/18ce50x/campaigns?" + query, null, null,
                UnaryOperator.identity());
        assertThat(response.json().path("query").asText()).isEqualTo(query);
        assertThat(response.json().path("path").asText()).isEqualTo("/12/accounts/18ce50x/campaigns");
        assertThat(response.header("x-account-rate-limit-remaining")).contains("1999");
        assertThat(bed.sandbox.x().requests("/12/accounts/18ce50x/campaigns")).isEqualTo(before + 1);
    }

    @Test
    void xSignsAFormBodyAndNotAJsonBody() {
        CallContext context = xContext();
        JsonNode form = call("x", "ads", context, "POST", "/accounts/18ce50x/campaigns?with_draft=true",
                "application/x-www-form-urlencoded", "name=Spring%20Sale%2A%21&objective=WEBSITE_CLICKS",
                UnaryOperator.identity()).json();
        assertEcho(form, "POST", "name=Spring%20Sale%2A%21&objective=WEBSITE_CLICKS");
        assertThat(form.path("content_type").asText()).startsWith("application/x-www-form-urlencoded");
        String json = "{\"name\":\"Spring Sale*!\",\"objective\":\"WEBSITE_CLICKS\"}";
        assertEcho(call("x", "ads", context, "POST", "/accounts/18ce50x/campaigns?with_draft=true", "application/json",
                json, UnaryOperator.identity()).json(), "POST", json);
    }

    @Test
    void xRefusesATamperedSignature() {
        CallContext context = xContext();
        // Another token secret: the signature does not verify.
        CallContext wrongSecret = new CallContext(context.orgId(), context.integrationId(), "user", context.accessToken(),
                context.accountId(), List.of(), java.util.Optional.of(Secret.of("not-the-token-secret")));
        assertThatThrownBy(() -> call("x", "ads", wrongSecret, "GET", "/accounts/18ce50x/campaigns?a=1", null, null,
                UnaryOperator.identity())).isInstanceOf(ReauthRequiredException.class)
                .hasMessageContaining("UNAUTHORIZED_ACCESS");
        assertThat(bed.sandbox.x().lastRefusal()).contains(io.cmis.platform.platforms.x.OAuth1Verifier.Outcome.BAD_SIGNATURE);
        // A signature over the URL alone, the form body left out: X signs form bodies, so it is refused.
        OAuth1SignerAccess unsignedBody = new OAuth1SignerAccess(context);
        assertThatThrownBy(() -> call("x", "ads", context, "POST", "/accounts/18ce50x/campaigns",
                "application/x-www-form-urlencoded", "name=Spring", b -> b.signedBy(unsignedBody::ignoringBody)))
                .isInstanceOf(ReauthRequiredException.class); // (a POST's 401 reaches the client without its body)
        assertThat(bed.sandbox.x().lastRefusal()).contains(io.cmis.platform.platforms.x.OAuth1Verifier.Outcome.BAD_SIGNATURE);
        // A signature over another query than the one sent.
        assertThatThrownBy(() -> call("x", "ads", context, "GET", "/accounts/18ce50x/campaigns?ids=1&ids=2", null, null,
                b -> b.signedBy((method, url, type, body) -> unsignedBody.ignoringBody(method,
                        java.net.URI.create(url.toString().replace("ids=2", "ids=3")), type, body))))
                .isInstanceOf(ReauthRequiredException.class).hasMessageContaining("UNAUTHORIZED_ACCESS");
        assertThat(bed.sandbox.x().lastRefusal()).contains(io.cmis.platform.platforms.x.OAuth1Verifier.Outcome.BAD_SIGNATURE);
    }

    @Test
    void xLimitScopeIsTheAdAccountOfThePath() {
        PlatformConnector x = bed.registry().get("x");
        ProxyApi ads = x.proxyApis().get(0);
        assertThat(x.proxyLimitScopes(ads, "GET", "/accounts/18ce54d4x5t/campaigns?count=5", ANY))
                .containsExactly("x_ad_account:18ce54d4x5t");
        assertThat(x.proxyLimitScopes(ads, "GET", "/accounts/18ce54d4x5t", ANY)).containsExactly("x_ad_account:18ce54d4x5t");
        assertThat(x.proxyLimitScopes(ads, "GET", "/accounts", ANY)).isEmpty();
        assertThat(x.proxyLimitScopes(ads, "GET", "/targeting_criteria/locations?q=a", ANY)).isEmpty();
    }

    /** A hand-made OAuth 1.0a signer with the right keys, to sign something other than what is sent. */
    private static final class OAuth1SignerAccess {
        private final io.cmis.platform.platforms.x.OAuth1Signer signer = new io.cmis.platform.platforms.x.OAuth1Signer(
                new io.cmis.platform.platforms.x.OAuth1Signer.Consumer(io.cmis.platform.sandbox.XSimulator.CONSUMER_KEY,
                        Secret.of(io.cmis.platform.sandbox.XSimulator.CONSUMER_SECRET)),
                java.time.Clock.systemUTC(), () -> UUID.randomUUID().toString().replace("-", ""));
        private final io.cmis.platform.platforms.x.OAuth1Signer.Token token;

        OAuth1SignerAccess(CallContext context) {
            token = new io.cmis.platform.platforms.x.OAuth1Signer.Token(context.accessToken().reveal(),
                    context.tokenSecret().orElseThrow());
        }

        Secret ignoringBody(String method, java.net.URI url, String contentType, String body) {
            return Secret.of(signer.authorization(io.cmis.platform.platforms.x.OAuth1Request.of(method, url), token));
        }
    }

    // ---- the simulators' echo

    @Test
    void theEchoDescribesABinaryBodyByteForByte() throws Exception {
        byte[] body = new byte[70_000];
        new java.util.Random(27).nextBytes(body);
        java.net.http.HttpClient client = java.net.http.HttpClient.newHttpClient();
        java.net.http.HttpResponse<String> answer = client.send(java.net.http.HttpRequest.newBuilder(
                        java.net.URI.create(bed.sandbox.tiktok().baseUrl() + "/open_api/v1.3/file/video/ad/upload/?a=%2A&b=1"))
                .header("Access-Token", bed.sandbox.tiktok().issueAdvertiserToken())
                .header("Content-Type", "application/octet-stream")
                .PUT(java.net.http.HttpRequest.BodyPublishers.ofByteArray(body)).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        JsonNode echo = new com.fasterxml.jackson.databind.ObjectMapper().readTree(answer.body());
        assertThat(echo.path("method").asText()).isEqualTo("PUT");
        assertThat(echo.path("query").asText()).isEqualTo("a=%2A&b=1");
        assertThat(echo.path("content_type").asText()).isEqualTo("application/octet-stream");
        assertThat(echo.path("body_length").asInt()).isEqualTo(body.length);
        assertThat(echo.path("body_sha256").asText()).isEqualTo(sha256(body));
    }

    // ---- helpers

    private CallContext xContext() {
        String[] token = bed.sandbox.x().issueAccessToken();
        return new CallContext(UUID.randomUUID(), UUID.randomUUID(), "user", Secret.of(token[0]),
                io.cmis.platform.sandbox.XSimulator.USER_ID, List.of(), java.util.Optional.of(Secret.of(token[1])));
    }

    private CallContext linkedinContext() {
        return new CallContext(UUID.randomUUID(), UUID.randomUUID(), "member",
                Secret.of(bed.sandbox.linkedin().issueAccessToken(io.cmis.platform.sandbox.LinkedInSimulator.MEMBER)),
                io.cmis.platform.sandbox.LinkedInSimulator.MEMBER);
    }

    private CallContext snapchatContext() {
        String[] tokens = bed.sandbox.snapchat().issueTokens(io.cmis.platform.sandbox.SnapchatSimulator.MARKETING_SCOPE);
        return new CallContext(UUID.randomUUID(), UUID.randomUUID(), "user", Secret.of(tokens[0]), null);
    }

    private CallContext googleContext() {
        return new CallContext(UUID.randomUUID(), UUID.randomUUID(), "user",
                Secret.of(bed.sandbox.google().issueTokens()[0]), null);
    }

    private CallContext metaContext() {
        return new CallContext(UUID.randomUUID(), UUID.randomUUID(), "user",
                Secret.of(bed.sandbox.meta().issueLongLivedToken()), null);
    }

    private CallContext tiktokContext() {
        return new CallContext(UUID.randomUUID(), UUID.randomUUID(), "advertiser",
                Secret.of(bed.sandbox.tiktok().issueAdvertiserToken()), null);
    }

    private String graphBase() {
        return bed.sandbox.meta().baseUrl() + "/v25.0";
    }

    /** A proxied call as the engine makes it: the API's base, its headers, the connector's authentication. */
    PlatformResponse call(String platform, String apiName, CallContext context, String method, String path,
                          String contentType, String body, UnaryOperator<PlatformRequest.Builder> tamper) {
        PlatformConnector connector = bed.registry().get(platform);
        ProxyApi api = connector.proxyApis().stream().filter(a -> a.name().equals(apiName)).findFirst().orElseThrow();
        PlatformRequest.Builder request = method.equals("GET")
                ? PlatformRequest.get(platform, api.baseUrl(), path)
                : PlatformRequest.post(platform, api.baseUrl(), path);
        request.label("proxy:" + platform + ":" + apiName).context(context.orgId(), context.integrationId());
        api.headers().forEach(request::header);
        if (body != null && contentType.startsWith("application/json")) {
            request.json(body);
        } else if (body != null) {
            request.form(formFields(body), Map.of());
        }
        connector.authenticate(request, api, context);
        return bed.http().execute(tamper.apply(request).build(), connector.classifier());
    }

    static Map<String, String> formFields(String body) {
        Map<String, String> fields = new java.util.LinkedHashMap<>();
        for (String pair : body.split("&")) {
            String[] kv = pair.split("=", 2);
            fields.put(java.net.URLDecoder.decode(kv[0], StandardCharsets.UTF_8),
                    java.net.URLDecoder.decode(kv[1], StandardCharsets.UTF_8));
        }
        return fields;
    }

    static void assertEcho(JsonNode echo, String method, String body) {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        assertThat(echo.path("method").asText()).isEqualTo(method);
        assertThat(echo.path("body_length").asInt()).isEqualTo(bytes.length);
        assertThat(echo.path("body_sha256").asText()).isEqualTo(sha256(bytes));
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

}
