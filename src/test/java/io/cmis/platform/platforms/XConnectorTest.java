package io.cmis.platform.platforms;

import io.cmis.platform.crypto.Secret;
import io.cmis.platform.sandbox.Fault;
import io.cmis.platform.sandbox.Sandbox;
import io.cmis.platform.sandbox.Simulator;
import io.cmis.platform.sandbox.XSimulator;
import io.cmis.platform.support.PlatformTestBed;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** X against its simulator: the contract where it applies, the three legs, and X's error rules. */
class XConnectorTest extends PlatformContractTest {
    private static final String ACCOUNTS = "/12/accounts";
    private static final String CALLBACK = Sandbox.CALLBACK_BASE + "x";

    @Override
    protected CallContext newContext(PlatformTestBed bed) {
        String[] token = bed.sandbox.x().issueAccessToken();
        return new CallContext(UUID.randomUUID(), UUID.randomUUID(), "user", Secret.of(token[0]), XSimulator.USER_ID,
                List.of(), Optional.of(Secret.of(token[1])));
    }

    private XSimulator x() {
        return bed.sandbox.x();
    }

    @Override
    public Simulator simulator() {
        return x();
    }

    @Override
    public String platform() {
        return "x";
    }

    @Override
    public String dataPath() {
        return ACCOUNTS;
    }

    @Override
    public List<?> dataCall(PlatformConnector connector, CallContext context) {
        return connector.adAccounts(context);
    }

    /** X tokens never expire: any 401 (Ads or legacy envelope) means revoked, and only a reconnect helps. */
    @Override
    public Map<Fault, Class<? extends PlatformException>> expectedErrors() {
        return Map.of(Fault.TRANSIENT, TransientPlatformException.class,
                Fault.RATE_LIMIT, RateLimitExceededException.class,
                Fault.TOKEN_EXPIRED, ReauthRequiredException.class,
                Fault.REVOKED, ReauthRequiredException.class,
                Fault.PERMANENT, PermanentPlatformException.class);
    }

    /** 1,001 live accounts at X's maximum page size of 1,000: two pages; 7 deleted ones never show. */
    @Override
    public int[] seedSeveralPages() {
        x().seed(1001, 7);
        return new int[] {1, 1001};
    }

    /** X's authorize URL comes from the first leg, not from a state of ours: see the override below. */
    @Override
    public void assertAuthorizationUrl(URI url) {
        throw new AssertionError("not used for X");
    }

    @Override
    @Test
    public void builds_the_authorization_url_with_state_and_redirect() {
        ConnectFirstLeg leg = connector().beginConnect(CALLBACK, "user", UUID.randomUUID()).orElseThrow();

        assertThat(leg.authorizationUrl().getPath()).isEqualTo("/oauth/authorize");
        assertThat(leg.authorizationUrl().getRawQuery()).isEqualTo("oauth_token=" + leg.requestToken().value());
        assertThatThrownBy(() -> connector().authorizationUrl(new AuthorizationRequest("s", CALLBACK, List.of(),
                Optional.empty(), "user"))).isInstanceOf(PermanentPlatformException.class);
    }

    @Override
    public void assertTokenLifecycle(PlatformConnector connector) {
        assertThat(connector.refreshMode("user")).isEqualTo(RefreshMode.NEVER_EXPIRES);
        assertThat(connector.supportsPkce("user")).isFalse();
        ConnectFirstLeg leg = connector.beginConnect(CALLBACK, "user", UUID.randomUUID()).orElseThrow();
        CodeExchange exchange = new CodeExchange(Secret.of(authorize(leg).get("oauth_verifier")), CALLBACK,
                Optional.empty(), "user", UUID.randomUUID(), Optional.of(leg.requestToken()));

        TokenGrant grant = connector.exchangeCode(exchange);

        assertThat(grant.accountId()).contains(XSimulator.USER_ID);
        assertThat(grant.accountName()).contains(XSimulator.SCREEN_NAME);
        assertThat(grant.tokenSecret()).isPresent();
        assertThat(grant.expiresAt()).isEmpty();
        assertThat(grant.refreshToken()).isEmpty();
        assertThatThrownBy(() -> connector.exchangeCode(exchange)).as("a request token is single-use")
                .isInstanceOf(PermanentPlatformException.class);
        assertThatThrownBy(() -> connector.refresh(new StoredGrant(UUID.randomUUID(), UUID.randomUUID(), "user",
                grant.accessToken(), Optional.empty(), Optional.empty()))).isInstanceOf(ReauthRequiredException.class);
        CallContext connected = new CallContext(UUID.randomUUID(), UUID.randomUUID(), "user", grant.accessToken(),
                XSimulator.USER_ID, List.of(), grant.tokenSecret());
        assertThat(connector.adAccounts(connected)).isNotEmpty();
    }

    /** Account Activity's {@code user_event.revoke} and the X Activity API's {@code oauth.revoke}. */
    @Override
    public List<Delivery> revocationDeliveries() {
        String aaa = """
                {"user_event":{"revoke":{"date_time":"2026-11-25T11:59:00.000Z","target":{"app_id":"13090192"},
                 "source":{"user_id":"6253282"}}}}""";
        String xaa = XSimulator.activityRevoke("-7953119945885597316", XSimulator.USER_ID,
                java.time.Instant.parse("2026-11-25T11:59:00Z"));
        return List.of(aaa, xaa).stream().map(body -> new Delivery(XSimulator.signedHeaders(body),
                body.getBytes(StandardCharsets.UTF_8), 1)).toList();
    }

    /** Three events: a favorite with X's id, and two follows that have none. */
    @Override
    public Delivery signedDelivery() {
        String body = """
                {"for_user_id":"6253282",
                 "favorite_events":[{"id":"a7ba59eab0bfcba386f7acedac279542","created_at":"Mon Mar 26 16:33:26 +0000 2018",
                   "timestamp_ms":1522082006140,"favorited_status":{"id_str":"985316"}}],
                 "follow_events":[
                   {"type":"follow","created_timestamp":"1517588749178","target":{"id":"3001"},"source":{"id":"6253282"}},
                   {"type":"follow","created_timestamp":"1517588749178","target":{"id":"3002"},"source":{"id":"6253282"}}]}
                """;
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        String signature = "sha256=" + java.util.Base64.getEncoder().encodeToString(
                Signatures.hmacSha256(XSimulator.CONSUMER_SECRET, bytes));
        return new Delivery(Map.of("x-twitter-webhooks-signature", signature), bytes, 3);
    }

    @Test
    void the_crc_is_answered_with_the_consumer_secret_as_x_documents_it() {
        WebhookSupport webhooks = new io.cmis.platform.platforms.x.XConnectorFactory().create(
                new PlatformEnvironment(new io.cmis.platform.config.ConfigLoader(Map.of(
                        "CMIS_X_CONSUMER_SECRET", "z3ZX4v7mAAUGykl3EcmkqbartmuW8VFOOzCloLx9Q45P0hLrFu"), null).load(null),
                        bed.http(), bed.clock)).webhooks();

        assertThat(webhooks.handshake(Map.of("crc_token", "9b4507b3-9040-4669-9ca3-6b94edb50553")))
                .contains("{\"response_token\":\"sha256=Cytd4Sq+NvEcV3MMrXxWJGJx5A+y/lXzzU2Maartkx8=\"}");
        assertThat(webhooks.handshakeContentType()).isEqualTo("application/json");
        assertThat(webhooks.handshake(Map.of())).isEmpty();
    }

    @Test
    void a_revoke_is_routed_to_the_user_who_revoked() {
        List<InboundEvent> events = connector().webhooks().events("""
                {"user_event":{"revoke":{"date_time":"2018-05-24T09:48:12+00:00","target":{"app_id":"13090192"},
                 "source":{"user_id":"63046977"}}}}""".getBytes(StandardCharsets.UTF_8));

        assertThat(events).singleElement().satisfies(e -> {
            assertThat(e.eventType()).isEqualTo("user_event.revoke");
            assertThat(e.routingKey()).contains("63046977");
        });
    }

    @Test
    void an_x_activity_event_is_keyed_by_its_event_uuid_and_routed_to_the_filtered_user() {
        List<InboundEvent> events = connector().webhooks().events(XSimulator.activityPostCreate(
                "-7953119945885597316", "63046977", "1790000000000000001").getBytes(StandardCharsets.UTF_8));

        assertThat(events).singleElement().satisfies(e -> {
            assertThat(e.eventKey()).isEqualTo("xaa:-7953119945885597316");
            assertThat(e.eventType()).isEqualTo("post.create");
            assertThat(e.routingKey()).contains("63046977");
            assertThat(e.occurredAt()).isEmpty();
            assertThat(e.payload().path("payload").path("id").asText()).isEqualTo("1790000000000000001");
        });
    }

    /** Its filter is empty: the user is the payload's, and its date_time is read in every form X might use. */
    @Test
    void an_x_activity_revoke_is_routed_to_the_payloads_user_at_its_signed_time() {
        java.time.Instant at = java.time.Instant.parse("2026-11-25T11:59:00Z");
        for (String dateTime : List.of("\"2026-11-25T11:59:00.000Z\"", "\"2026-11-25T11:59:00+00:00\"",
                "1795607940000", "\"1795607940\"", "\"Wed Nov 25 11:59:00 +0000 2026\"")) {
            String body = "{\"data\":{\"event_uuid\":\"2080761390344937796\",\"filter\":{},\"event_type\":"
                    + "\"oauth.revoke\",\"payload\":{\"date_time\":" + dateTime
                    + ",\"user_id\":\"63046977\",\"app_id\":\"13090192\"}}}";
            assertThat(connector().webhooks().events(body.getBytes(StandardCharsets.UTF_8))).as(dateTime)
                    .singleElement().satisfies(e -> {
                        assertThat(e.eventType()).isEqualTo("oauth.revoke");
                        assertThat(e.routingKey()).contains("63046977");
                        assertThat(e.occurredAt()).contains(at);
                    });
        }
    }

    @Test
    void an_x_activity_body_without_its_event_uuid_or_type_is_malformed() {
        for (String body : List.of("{\"data\":{\"event_type\":\"post.create\",\"filter\":{}}}",
                "{\"data\":{\"event_uuid\":\"\",\"event_type\":\"post.create\"}}",
                "{\"data\":{\"event_uuid\":\"1\"}}", "{\"data\":\"post.create\"}", "{\"data\":[]}",
                "{\"data\":{\"event_uuid\":\"1\",\"event_type\":\"post.create\",\"filter\":\"6253282\"}}")) {
            assertThatThrownBy(() -> connector().webhooks().events(body.getBytes(StandardCharsets.UTF_8))).as(body)
                    .isInstanceOf(io.cmis.platform.platforms.MalformedWebhookException.class);
        }
    }

    /** An Account Activity array whose items would be typed as a revocation is not taken as one. */
    @Test
    void an_account_activity_array_item_typed_revoke_is_no_revocation() {
        String body = "{\"for_user_id\":\"6253282\",\"oauth_events\":[{\"type\":\"revoke\",\"id\":\"1\"}],"
                + "\"favorite_events\":[{\"id\":\"2\"}]}";
        assertThat(connector().webhooks().events(body.getBytes(StandardCharsets.UTF_8)))
                .extracting(InboundEvent::eventType).containsExactly("favorite");
    }

    @Test
    void ad_accounts_carry_name_timezone_approval_and_the_currency_of_their_funding_instrument() {
        x().seed(2, 1);
        List<DiscoveredAdAccount> accounts = connector().adAccounts(context());

        assertThat(accounts).hasSize(2).allSatisfy(a -> {
            assertThat(a.name()).startsWith("Sandbox account ");
            assertThat(a.timezone()).isEqualTo("America/Los_Angeles");
            assertThat(a.status()).isEqualTo("active");
            assertThat(a.platformStatus()).isEqualTo("ACCEPTED");
            assertThat(a.currency()).isEqualTo("USD");
        });
        assertThat(x().requests(ACCOUNTS)).isEqualTo(1);
    }

    @Test
    void the_x_account_is_the_one_channel() {
        assertThat(connector().channels(context())).singleElement().satisfies(c -> {
            assertThat(c.type()).isEqualTo("x_account");
            assertThat(c.externalId()).isEqualTo(XSimulator.USER_ID);
        });
    }

    @Test
    void an_app_without_ads_api_access_is_a_configuration_error_not_a_retry() {
        x().appApproved(false);
        int before = x().requests(ACCOUNTS);

        assertThatThrownBy(() -> connector().adAccounts(context())).isInstanceOf(ConfigurationPlatformException.class)
                .hasMessageContaining("UNAUTHORIZED_CLIENT_APPLICATION").hasMessageContaining("Ads API Access Form");
        assertThat(x().requests(ACCOUNTS) - before).isEqualTo(1);
    }

    @Test
    void a_revoked_token_needs_a_reconnect() {
        x().revoke(context().accessToken().reveal());

        assertThatThrownBy(() -> connector().adAccounts(context())).isInstanceOf(ReauthRequiredException.class)
                .hasMessageContaining("connect the account again");
    }

    @Test
    void over_capacity_is_transient_and_not_a_rate_limit() {
        x().failNext(3, ACCOUNTS, Fault.TRANSIENT);

        assertThatThrownBy(() -> connector().adAccounts(context())).isInstanceOf(TransientPlatformException.class)
                .isNotInstanceOf(RateLimitExceededException.class).hasMessageContaining("OVER_CAPACITY");
    }

    @Test
    void a_rate_limit_waits_until_x_rate_limit_reset_for_that_endpoint_and_user_only() {
        x().failNext(1, ACCOUNTS, Fault.RATE_LIMIT);

        RateLimitExceededException limited = org.junit.jupiter.api.Assertions.assertThrows(
                RateLimitExceededException.class, () -> connector().adAccounts(context()));

        assertThat(limited.retryAfter()).isEqualTo(java.time.Duration.ofSeconds(900));
        assertThat(limited.scope()).contains(context().integrationId().toString()).contains("/{version}/accounts");
        CallContext otherUser = newContext(bed);
        assertThat(connector().adAccounts(otherUser)).as("another user's token is not held back").isNotEmpty();
    }

    @Test
    void the_simulator_refuses_a_reused_nonce_and_a_stale_timestamp() throws Exception {
        io.cmis.platform.platforms.x.OAuth1Signer.Token token = new io.cmis.platform.platforms.x.OAuth1Signer.Token(
                context().accessToken().reveal(), context().tokenSecret().orElseThrow());
        io.cmis.platform.platforms.x.OAuth1Signer.Consumer app = new io.cmis.platform.platforms.x.OAuth1Signer.Consumer(
                XSimulator.CONSUMER_KEY, Secret.of(XSimulator.CONSUMER_SECRET));
        URI url = URI.create(x().baseUrl() + ACCOUNTS + "?count=5");
        io.cmis.platform.platforms.x.OAuth1Signer fixedNonce = new io.cmis.platform.platforms.x.OAuth1Signer(app,
                bed.clock, () -> "same-nonce");
        String header = fixedNonce.authorization(io.cmis.platform.platforms.x.OAuth1Request.of("GET", url), token);

        assertThat(send(url, header)).isEqualTo(200);
        assertThat(send(url, header)).isEqualTo(401);
        assertThat(x().lastRefusal()).contains(io.cmis.platform.platforms.x.OAuth1Verifier.Outcome.REUSED_NONCE);

        io.cmis.platform.platforms.x.OAuth1Signer late = new io.cmis.platform.platforms.x.OAuth1Signer(app,
                java.time.Clock.fixed(bed.clock.instant().minusSeconds(600), java.time.ZoneOffset.UTC), () -> "n2");
        assertThat(send(url, late.authorization(io.cmis.platform.platforms.x.OAuth1Request.of("GET", url), token)))
                .isEqualTo(401);
        assertThat(x().lastRefusal()).contains(io.cmis.platform.platforms.x.OAuth1Verifier.Outcome.STALE_TIMESTAMP);
    }

    @Test
    void a_plus_for_a_space_in_the_query_is_refused_even_when_signed() throws Exception {
        io.cmis.platform.platforms.x.OAuth1Signer signer = new io.cmis.platform.platforms.x.OAuth1Signer(
                new io.cmis.platform.platforms.x.OAuth1Signer.Consumer(XSimulator.CONSUMER_KEY,
                        Secret.of(XSimulator.CONSUMER_SECRET)), bed.clock, () -> "n3");
        URI url = URI.create(x().baseUrl() + ACCOUNTS + "?q=a+b");
        String header = signer.authorization(io.cmis.platform.platforms.x.OAuth1Request.of("GET", url),
                new io.cmis.platform.platforms.x.OAuth1Signer.Token(context().accessToken().reveal(),
                        context().tokenSecret().orElseThrow()));

        assertThat(send(url, header)).isEqualTo(401);
        assertThat(x().lastRefusal()).contains(io.cmis.platform.platforms.x.OAuth1Verifier.Outcome.MALFORMED);
    }

    private static int send(URI url, String authorization) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(url).header("Authorization", authorization)
                .build(), HttpResponse.BodyHandlers.ofString()).statusCode();
    }

    /** What the user's browser does: open the authorize URL and land on the callback. */
    private static Map<String, String> authorize(ConnectFirstLeg leg) {
        try {
            HttpResponse<String> redirect = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build()
                    .send(HttpRequest.newBuilder(leg.authorizationUrl()).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(redirect.statusCode()).isEqualTo(302);
            URI back = URI.create(redirect.headers().firstValue("location").orElseThrow());
            Map<String, String> query = new HashMap<>();
            for (String pair : back.getRawQuery().split("&")) {
                String[] kv = pair.split("=", 2);
                query.put(kv[0], URLDecoder.decode(kv[1], StandardCharsets.UTF_8));
            }
            assertThat(query.get("oauth_token")).isEqualTo(leg.requestToken().value());
            return query;
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
