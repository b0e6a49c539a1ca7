package io.cmis.platform.proxy;

import com.fasterxml.jackson.databind.JsonNode;
import io.cmis.platform.cli.Json;
import io.cmis.platform.config.LogSettings;
import io.cmis.platform.logging.Logging;
import io.cmis.platform.sandbox.Fault;
import io.cmis.platform.sandbox.Simulator;
import io.cmis.platform.support.CliRun;
import io.cmis.platform.support.OAuthUser;
import io.cmis.platform.support.PlatformTestBed;
import io.cmis.platform.support.TestPostgres;
import io.cmis.platform.support.WebhookServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code /api/v1/proxy/{integration}/{api}/{path...}} and {@code integrations call} over real HTTP against
 * the platform simulators: the platform's answer as it came, nothing bypassed on the guarded path, no
 * way out to another host.
 */
class ProxyApiTest {
    private final String orgA = UUID.randomUUID().toString();
    private final String orgB = UUID.randomUUID().toString();
    private final HttpClient client = HttpClient.newHttpClient();
    private PlatformTestBed bed;
    private WebhookServer server;
    private CliRun cli;

    void start(Map<String, String> overrides) {
        bed = new PlatformTestBed(overrides);
        server = new WebhookServer(bed);
        cli = bed.cli();
    }

    void start() {
        start(Map.of());
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
        if (bed != null) {
            bed.close();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"meta", "google", "tiktok", "snapchat", "linkedin", "x"})
    void a_get_and_a_post_go_to_the_configured_base_authenticated_as_the_connector_does_and_come_back_as_they_came(
            String platform) throws Exception {
        start();
        List<io.cmis.platform.platforms.ProxyApi> apis = bed.registry().get(platform).proxyApis();
        Assumptions.assumeFalse(apis.isEmpty(), platform + " declares no proxy API yet (branch i27-platforms)");
        String id = OAuthUser.connect(cli, orgA, platform).get("id").asText();
        String key = key(orgA, "proxy");
        Simulator sim = simulator(platform);
        for (io.cmis.platform.platforms.ProxyApi api : apis) {
            int before = sim.requests();
            HttpResponse<byte[]> get = proxy("GET", id, api.name(), "sandbox-probe/42/items?fields=id%2Cname&q=a%20b",
                    key, null, Map.of());
            assertThat(get.statusCode()).as(platform + " " + api.name() + ": " + text(get)).isEqualTo(200);
            assertThat(get.headers().firstValue("X-Cmis-Outcome")).hasValue("ok");
            JsonNode echo = Json.MAPPER.readTree(get.body());
            assertThat(echo.get("method").asText()).isEqualTo("GET");
            assertThat(echo.get("path").asText()).as("below the API's base at its version")
                    .isEqualTo(java.net.URI.create(api.baseUrl()).getPath() + "/sandbox-probe/42/items");
            assertThat(echo.get("query").asText()).as("the query as sent, byte for byte")
                    .startsWith("fields=id%2Cname&q=a%20b");

            byte[] json = "{\"name\":\"Black Friday\",\"budget\":1000}".getBytes(StandardCharsets.UTF_8);
            HttpResponse<byte[]> post = proxy("POST", id, api.name(), "sandbox-probe/42/items", key, json,
                    Map.of("Content-Type", "application/json"));
            assertThat(post.statusCode()).as(text(post)).isEqualTo(200);
            JsonNode posted = Json.MAPPER.readTree(post.body());
            assertThat(posted.get("method").asText()).isEqualTo("POST");
            assertThat(posted.get("content_type").asText()).startsWith("application/json");
            assertThat(posted.get("body_sha256").asText()).isEqualTo(sha256(json));
            assertThat(sim.requests()).as("one platform call each").isEqualTo(before + 2);
        }
        bed.flushCallLog();
        List<String> endpoints = TestPostgres.superuser(bed.database).withHandle(h -> h.createQuery(
                "SELECT endpoint FROM cmis_platform.platform_api_calls WHERE endpoint LIKE 'proxy:%'").mapTo(String.class)
                .list());
        assertThat(endpoints).as("logged with a low-cardinality label").hasSize(2 * apis.size())
                .allSatisfy(e -> assertThat(e).endsWith(" /sandbox-probe/{id}/items").doesNotContain("42"));
    }

    @Test
    void x_signs_the_real_method_url_query_and_form_body_of_a_proxied_call() throws Exception {
        start();
        String id = OAuthUser.connect(cli, orgA, "x").get("id").asText();
        String key = key(orgA, "proxy");
        byte[] form = "name=Black%20Friday%20%E2%9C%93&entity_status=PAUSED&note=a%2Bb%26c".getBytes(StandardCharsets.UTF_8);
        HttpResponse<byte[]> posted = proxy("POST", id, "ads", "accounts/18ce54d4x5t/campaigns?with_deleted=true&q=%21%2A%27%28%29",
                key, form, Map.of("Content-Type", "application/x-www-form-urlencoded"));
        assertThat(posted.statusCode()).as("the simulator verified the signature over the form body: " + text(posted))
                .isEqualTo(200);
        assertThat(posted.headers().firstValue("X-Cmis-Outcome")).hasValue("ok");
        assertThat(Json.MAPPER.readTree(posted.body()).get("body_sha256").asText()).isEqualTo(sha256(form));
        HttpResponse<byte[]> deleted = proxy("DELETE", id, "ads", "accounts/18ce54d4x5t/campaigns/8wku2", key, null,
                Map.of());
        assertThat(deleted.statusCode()).as(text(deleted)).isEqualTo(200);
    }

    @Test
    void every_ssrf_shape_is_refused_400_path_not_allowed_without_any_outbound_call() throws Exception {
        start();
        String id = OAuthUser.connect(cli, orgA, "meta").get("id").asText();
        String key = key(orgA, "proxy");
        int before = bed.sandbox.meta().requests();
        List<String> shapes = List.of("../../oauth/access_token", "me/../../../x", "./me", "me/./accounts",
                "%2e%2e/x", "%2E%2E/x", ".%2e/x", "%252e%252e/x", "me%2f..%2fx", "me%2Fx", "me%5cx", "me%5Cx",
                "me//accounts", "/me", "@evil.example/x", "me@evil.example", "me\\..\\x",
                "http://evil.example/x", "https://evil.example/x", "http:%2f%2fevil.example", "https:evil.example",
                "me%0d%0aHost:%20evil.example", "me%00", "me;x=1/accounts", "me%25");
        List<String> answers = new ArrayList<>();
        for (String shape : shapes) {
            String[] answer = raw("GET", "/api/v1/proxy/" + id + "/graph/" + shape, key);
            answers.add(shape + " -> " + answer[0]);
            assertThat(answer[0]).as(shape).isEqualTo("400");
            // An encoded NUL: Jetty's parser refuses it before any route, still in the API's JSON shape.
            assertThat(answer[1]).as(shape).contains(shape.equals("me%00") ? "\"invalid_request\"" : "\"path_not_allowed\"");
        }
        assertThat(bed.sandbox.meta().requests()).as("no call reached the platform: " + answers).isEqualTo(before);

        // Ambiguous paths reach serve only for the proxy's own refusal: every other route refuses them as before.
        for (String other : List.of("/health/%2e%2e/metrics", "/api/v1//integrations", "/api/v1/integrations/%2e%2e",
                "/webhooks/me%2fta", "/oauth/callback/meta%5c..", "/api/v1/%2e%2e/api/v1/integrations")) {
            String[] answer = raw("GET", other, key);
            assertThat(answer[0]).as(other).isEqualTo("400");
        }
        assertThat(raw("GET", "/api/v1/proxy/%2e%2e/graph/me", key)[0]).as("not an integration id").isEqualTo("404");
    }

    @Test
    void a_redirect_to_another_host_comes_back_as_the_platforms_302_and_is_never_followed() throws Exception {
        start();
        String id = OAuthUser.connect(cli, orgA, "meta").get("id").asText();
        String key = key(orgA, "proxy");
        try (ServerSocket evil = new ServerSocket(0)) {
            AtomicInteger connections = new AtomicInteger();
            Thread accept = new Thread(() -> {
                try {
                    while (true) {
                        evil.accept().close();
                        connections.incrementAndGet();
                    }
                } catch (java.io.IOException e) {
                    // closed
                }
            });
            accept.setDaemon(true);
            accept.start();
            String target = "http://127.0.0.1:" + evil.getLocalPort() + "/steal";
            HttpResponse<byte[]> answer = proxy("GET", id, "graph", "dialog/oauth?client_id=x&state=s&redirect_uri="
                    + java.net.URLEncoder.encode(target, StandardCharsets.UTF_8), key, null, Map.of());
            assertThat(answer.statusCode()).isEqualTo(302);
            assertThat(answer.headers().firstValue("Location")).as("not on the allow-list").isEmpty();
            assertThat(answer.headers().firstValue("X-Cmis-Outcome")).isPresent();
            Thread.sleep(200); // a follow would have connected by now; the only wait in this class
            assertThat(connections.get()).as("the redirect was not followed").isZero();
        }
    }

    @Test
    void headers_pass_through_an_allow_list_both_ways() throws Exception {
        start();
        String id = OAuthUser.connect(cli, orgA, "meta").get("id").asText();
        String key = key(orgA, "proxy");
        HttpRequest.Builder request = HttpRequest.newBuilder(server.uri("/api/v1/proxy/" + id + "/graph/123/feed"))
                .header("Authorization", "Bearer " + key)
                .header("Cookie", "app_session=abc")
                .header("Accept-Language", "de-DE")
                .header("If-None-Match", "\"v1\"")
                .header("Idempotency-Key", "k-1")
                .header("X-Forwarded-For", "10.0.0.1")
                .header("X-Forwarded-Host", "evil.example")
                .header("Proxy-Authorization", "Basic eDp5")
                .header("X-Custom-Secret", "app-internal")
                .GET();
        HttpResponse<byte[]> answer = client.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
        assertThat(answer.statusCode()).as(text(answer)).isEqualTo(200);
        List<String> arrived = new ArrayList<>();
        Json.MAPPER.readTree(answer.body()).get("header_names").forEach(n -> arrived.add(n.asText()));
        assertThat(arrived).contains("accept-language", "if-none-match", "idempotency-key", "authorization")
                .doesNotContain("cookie", "x-forwarded-for", "x-forwarded-host", "proxy-authorization", "x-custom-secret");
        assertThat(answer.headers().firstValue("X-Request-Id")).hasValue("sandbox-request-1");
        assertThat(answer.headers().firstValue("X-Business-Use-Case-Usage")).isPresent();
        assertThat(answer.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("application/json"));
        assertThat(answer.headers().map().keySet()).noneMatch(h -> h.equalsIgnoreCase("set-cookie"))
                .noneMatch(h -> h.equalsIgnoreCase("x-sandbox-internal"));

        // CR/LF cannot arrive in an HTTP header (Jetty's parser refuses it); the CLI and any other caller of the
        // service can hand one in: refused before any call.
        int before = bed.sandbox.meta().requests();
        ProxyService proxy = WebhookServer.proxy(bed, new io.cmis.platform.crypto.TokenVault(
                io.cmis.platform.crypto.Keyring.parse(io.cmis.platform.support.TestKeys.K1), new java.security.SecureRandom()));
        for (String value : List.of("de\r\nHost: evil.example", "de\nX-Evil: 1", "de\u0000")) {
            ProxyRefusedException refused = org.junit.jupiter.api.Assertions.assertThrows(ProxyRefusedException.class,
                    () -> proxy.call(new ProxyRequest(new io.cmis.platform.tenancy.OrgId(UUID.fromString(orgA)),
                            UUID.fromString(id), "graph", "GET", "123/feed", null, Map.of("accept-language", value),
                            new byte[0])));
            assertThat(refused.status()).isEqualTo(400);
            assertThat(refused.code()).isEqualTo("invalid_request");
        }
        CliRun.Result cliInjected = cli.run("integrations", "call", id, "GET", "123/feed", "--header", "Accept: a\r\nHost: x");
        assertThat(cliInjected.exitCode()).isEqualTo(2);
        assertThat(bed.sandbox.meta().requests()).isEqualTo(before);
    }

    @Test
    void a_binary_body_goes_through_byte_for_byte() throws Exception {
        start();
        String id = OAuthUser.connect(cli, orgA, "meta").get("id").asText();
        byte[] image = new byte[300_000];
        new Random(27).nextBytes(image);
        HttpResponse<byte[]> answer = proxy("POST", id, "graph", "act_1000000001/adimages", key(orgA, "proxy"), image,
                Map.of("Content-Type", "application/octet-stream"));
        assertThat(answer.statusCode()).as(text(answer)).isEqualTo(200);
        JsonNode echo = Json.MAPPER.readTree(answer.body());
        assertThat(echo.get("body_length").asInt()).isEqualTo(image.length);
        assertThat(echo.get("body_sha256").asText()).isEqualTo(sha256(image));
    }

    @Test
    void a_key_this_host_remembers_is_refused_the_moment_another_process_revokes_it_and_its_use_is_still_recorded()
            throws Exception {
        start();
        String id = OAuthUser.connect(cli, orgA, "meta").get("id").asText();
        String key = key(orgA, "proxy");
        String keyId = key.substring(5, 37).replaceFirst("(.{8})(.{4})(.{4})(.{4})(.{12})", "$1-$2-$3-$4-$5");
        assertThat(proxy("GET", id, "graph", "me", key, null, Map.of()).statusCode()).isEqualTo(200);
        String firstUse = one("SELECT last_used_at::text FROM cmis_platform.api_keys WHERE id = '" + keyId + "'");

        // Recognised from memory now; its use is recorded by the token read itself, once a minute.
        bed.clock.advance(Duration.ofMinutes(2));
        assertThat(proxy("GET", id, "graph", "me", key, null, Map.of()).statusCode()).isEqualTo(200);
        assertThat(one("SELECT last_used_at::text FROM cmis_platform.api_keys WHERE id = '" + keyId + "'"))
                .as("touched by the proxied request's one statement").isNotEqualTo(firstUse);

        // Another process (the operator's CLI) revokes it: this host's memory does not outlive that.
        cli.run("api-keys", "revoke", keyId).ok();
        int before = bed.sandbox.meta().requests();
        for (int i = 0; i < 2; i++) {
            HttpResponse<byte[]> refused = proxy("GET", id, "graph", "me", key, null, Map.of());
            assertThat(refused.statusCode()).as(text(refused)).isEqualTo(401);
            assertThat(Json.MAPPER.readTree(refused.body()).path("error").path("code").asText()).isEqualTo("unauthorized");
        }
        assertThat(bed.sandbox.meta().requests()).as("no platform call with a revoked key").isEqualTo(before);
    }

    @Test
    void another_orgs_integration_an_unknown_one_and_an_undeclared_api_are_404_alike_and_a_key_without_proxy_403()
            throws Exception {
        start();
        String ofB = OAuthUser.connect(cli, orgB, "meta").get("id").asText();
        String ofA = OAuthUser.connect(cli, orgA, "meta").get("id").asText();
        String keyA = key(orgA, "proxy");
        int before = bed.sandbox.meta().requests();
        HttpResponse<byte[]> unknown = proxy("GET", UUID.randomUUID().toString(), "graph", "me", keyA, null, Map.of());
        HttpResponse<byte[]> foreign = proxy("GET", ofB, "graph", "me", keyA, null, Map.of());
        HttpResponse<byte[]> undeclared = proxy("GET", ofA, "ads", "me", keyA, null, Map.of());
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(foreign.statusCode()).isEqualTo(404);
        assertThat(undeclared.statusCode()).isEqualTo(404);
        assertThat(text(foreign)).isEqualTo(text(unknown)).isEqualTo(text(undeclared)).doesNotContain(ofB);
        assertThat(bed.sandbox.meta().requests()).isEqualTo(before);
        HttpResponse<byte[]> noScope = proxy("GET", ofA, "graph", "me", key(orgA, "credentials:read,integrations:read"),
                null, Map.of());
        assertThat(noScope.statusCode()).isEqualTo(403);
        HttpResponse<byte[]> patch = send(HttpRequest.newBuilder(server.uri("/api/v1/proxy/" + ofA + "/graph/me"))
                .header("Authorization", "Bearer " + keyA).method("PATCH", HttpRequest.BodyPublishers.noBody()));
        assertThat(patch.statusCode()).isEqualTo(405);
        assertThat(bed.sandbox.meta().requests()).isEqualTo(before);
    }

    @Test
    void a_token_due_is_refreshed_once_before_the_call_and_a_refused_one_refreshed_and_the_call_made_once_more()
            throws Exception {
        start();
        String id = OAuthUser.connect(cli, orgA, "google").get("id").asText();
        String key = key(orgA, "proxy");
        int refreshes = bed.sandbox.google().requests("/token");
        bed.clock.advance(Duration.ofMinutes(55)); // 3599 s tokens: within tokens.refresh-before
        int before = bed.sandbox.google().requests();
        HttpResponse<byte[]> due = proxy("GET", id, "youtube", "channels?part=id&mine=true", key, null, Map.of());
        assertThat(due.statusCode()).as(text(due)).isEqualTo(200);
        assertThat(bed.sandbox.google().requests("/token")).as("one refresh, then the call").isEqualTo(refreshes + 1);
        assertThat(proxy("GET", id, "youtube", "channels?part=id&mine=true", key, null, Map.of()).statusCode())
                .isEqualTo(200);
        assertThat(bed.sandbox.google().requests("/token")).as("not again").isEqualTo(refreshes + 1);
        assertThat(bed.sandbox.google().requests()).isEqualTo(before + 3);

        bed.sandbox.google().failNext(1, ".*/youtube/v3/sandbox-probe", Fault.TOKEN_EXPIRED);
        byte[] body = "{\"snippet\":{}}".getBytes(StandardCharsets.UTF_8);
        HttpResponse<byte[]> retried = proxy("POST", id, "youtube", "sandbox-probe", key, body,
                Map.of("Content-Type", "application/json"));
        assertThat(retried.statusCode()).as("a 401 says the platform did not act: refreshed, sent once more: "
                + text(retried)).isEqualTo(200);
        assertThat(Json.MAPPER.readTree(retried.body()).get("body_sha256").asText()).isEqualTo(sha256(body));
        assertThat(bed.sandbox.google().requests("/token")).isEqualTo(refreshes + 2);
        assertThat(one("SELECT status FROM cmis_platform.integrations WHERE id = '" + id + "'")).isEqualTo("active");

        bed.sandbox.google().failNext(2, ".*/youtube/v3/sandbox-probe", Fault.TOKEN_EXPIRED);
        HttpResponse<byte[]> refused = proxy("POST", id, "youtube", "sandbox-probe", key, body,
                Map.of("Content-Type", "application/json"));
        assertThat(refused.statusCode()).as(text(refused)).isEqualTo(409);
        assertThat(code(refused)).isEqualTo("reconnect_required");
        assertThat(bed.sandbox.google().requests("/token")).as("one refresh per refusal, not more").isEqualTo(refreshes + 3);
        assertThat(one("SELECT status FROM cmis_platform.integrations WHERE id = '" + id + "'")).isEqualTo("needs_reauth");
    }

    @Test
    void a_due_token_the_platform_cannot_refresh_just_now_is_503_refresh_unavailable_and_no_call() throws Exception {
        start();
        String id = OAuthUser.connect(cli, orgA, "google").get("id").asText();
        String key = key(orgA, "proxy");
        bed.clock.advance(Duration.ofMinutes(55));
        bed.sandbox.google().failNext(3, "/token", Fault.TRANSIENT); // every attempt of the refresh
        int calls = bed.sandbox.google().requests(".*/youtube/v3/.*");
        HttpResponse<byte[]> unavailable = proxy("GET", id, "youtube", "channels?part=id&mine=true", key, null, Map.of());
        assertThat(unavailable.statusCode()).as(text(unavailable)).isEqualTo(503);
        assertThat(code(unavailable)).isEqualTo("refresh_unavailable");
        assertThat(unavailable.headers().firstValue("Retry-After")).hasValue("30");
        assertThat(bed.sandbox.google().requests(".*/youtube/v3/.*")).as("no call with a token about to expire")
                .isEqualTo(calls);
        assertThat(one("SELECT status FROM cmis_platform.integrations WHERE id = '" + id + "'")).isEqualTo("active");
    }

    @Test
    void a_platform_nobody_answers_at_is_502_platform_unreachable() throws Exception {
        int closed;
        try (ServerSocket socket = new ServerSocket(0)) {
            closed = socket.getLocalPort();
        }
        start(Map.of("CMIS_GOOGLE_YOUTUBE_URL", "http://127.0.0.1:" + closed + "/youtube/v3"));
        String id = OAuthUser.connect(cli, orgA, "google").get("id").asText();
        HttpResponse<byte[]> unreachable = proxy("GET", id, "youtube", "channels?part=id", key(orgA, "proxy"), null,
                Map.of());
        assertThat(unreachable.statusCode()).as(text(unreachable)).isEqualTo(502);
        assertThat(code(unreachable)).isEqualTo("platform_unreachable");
        assertThat(unreachable.headers().firstValue("X-Cmis-Outcome")).hasValue("transient");
    }

    @Test
    void a_refused_token_that_nothing_renews_marks_needs_reauth_and_answers_409_then_409_without_a_call() throws Exception {
        start();
        String id = OAuthUser.connect(cli, orgA, "meta").get("id").asText();
        String key = key(orgA, "proxy");
        bed.sandbox.meta().failNext(1, ".*/123/feed", Fault.TOKEN_EXPIRED);
        HttpResponse<byte[]> refused = proxy("GET", id, "graph", "123/feed", key, null, Map.of());
        assertThat(refused.statusCode()).as(text(refused)).isEqualTo(409);
        assertThat(code(refused)).isEqualTo("reconnect_required");
        assertThat(refused.headers().firstValue("X-Cmis-Outcome")).hasValue("reauth");
        assertThat(Json.MAPPER.readTree(refused.body()).at("/error/message").asText()).contains(id)
                .contains("Fix: cmis-platform connect start meta --org " + orgA);
        assertThat(one("SELECT status FROM cmis_platform.integrations WHERE id = '" + id + "'")).isEqualTo("needs_reauth");
        assertThat(one("SELECT count(*) FROM cmis_platform.notifications WHERE kind = 'needs_reauth'"))
                .as("one alert").isEqualTo("1");
        int before = bed.sandbox.meta().requests();
        assertThat(proxy("GET", id, "graph", "123/feed", key, null, Map.of()).statusCode()).isEqualTo(409);
        assertThat(bed.sandbox.meta().requests()).isEqualTo(before);
    }

    @Test
    void a_scope_limited_by_sync_in_another_process_is_429_with_retry_after_and_no_platform_call() throws Exception {
        start();
        String id = OAuthUser.connect(cli, orgA, "meta").get("id").asText();
        bed.sandbox.meta().throttleAdAccount("act_1000000001", Duration.ofMinutes(7));
        assertThat(cli.run("--json", "sync").exitCode()).as("sync deferred by the throttle").isEqualTo(1);
        String key = key(orgA, "proxy");
        int before = bed.sandbox.meta().requests();
        HttpResponse<byte[]> limited = proxy("GET", id, "graph", "act_1000000001/campaigns", key, null, Map.of());
        assertThat(limited.statusCode()).as(text(limited)).isEqualTo(429);
        assertThat(code(limited)).isEqualTo("rate_limited");
        assertThat(limited.headers().firstValue("Retry-After")).hasValue("420");
        assertThat(bed.sandbox.meta().requests()).as("no platform call").isEqualTo(before);
        HttpResponse<byte[]> other = proxy("GET", id, "graph", "act_1000000002/campaigns", key, null, Map.of());
        assertThat(other.statusCode()).as("another ad account goes on").isEqualTo(200);
    }

    @Test
    void a_limit_the_platform_answers_through_the_proxy_defers_the_next_sync_for_that_scope_only() throws Exception {
        start();
        String id = OAuthUser.connect(cli, orgA, "tiktok").get("id").asText();
        OAuthUser.connect(cli, orgB, "tiktok", "--kind", "tt_user");
        String key = key(orgA, "proxy");
        bed.sandbox.tiktok().failNext(1, ".*/advertiser/info/", Fault.RATE_LIMIT);
        HttpResponse<byte[]> throttled = proxy("GET", id, "business", "advertiser/info/?advertiser_ids=%5B%227000000001%22%5D",
                key, null, Map.of());
        assertThat(throttled.statusCode()).as("the platform's answer as it came (TikTok says it in a 200)")
                .isEqualTo(200);
        assertThat(throttled.headers().firstValue("X-Cmis-Outcome")).hasValue("rate_limited");

        CliRun.Result sync = cli.run("--json", "sync");
        JsonNode items = Json.MAPPER.readTree(sync.stdout()).get("items");
        java.util.Map<String, JsonNode> byOrg = new java.util.HashMap<>();
        items.forEach(item -> byOrg.put(item.get("org_id").asText(), item));
        assertThat(byOrg.get(orgA).get("outcome").asText()).as(sync.stdout()).isEqualTo("deferred");
        assertThat(byOrg.get(orgA).get("limited_scope").asText()).isEqualTo("endpoint:/open_api/v1.3/advertiser/info/");
        assertThat(byOrg.get(orgB).get("outcome").asText()).as("another endpoint, another org: synced")
                .isEqualTo("synced");
    }

    @Test
    void a_linkedin_member_limited_by_sync_is_429_through_the_proxy_without_a_call_and_another_member_goes_on()
            throws Exception {
        start();
        String idA = OAuthUser.connect(cli, orgA, "linkedin").get("id").asText();
        bed.sandbox.linkedin().signIn(OTHER_MEMBER);
        String idB = OAuthUser.connect(cli, orgB, "linkedin").get("id").asText();
        bed.sandbox.linkedin().exhaustDailyQuota(io.cmis.platform.sandbox.LinkedInSimulator.MEMBER);
        CliRun.Result sync = cli.run("--json", "sync");
        JsonNode a = syncItems(sync).get(orgA);
        assertThat(a.get("outcome").asText()).as(sync.stdout()).isEqualTo("deferred");
        String scope = a.get("limited_scope").asText();
        String member = "member:" + io.cmis.platform.sandbox.LinkedInSimulator.MEMBER + ":/rest/";
        assertThat(scope).as("sync records the member's own quota").startsWith(member);
        String resource = scope.substring(member.length());

        int before = bed.sandbox.linkedin().requests();
        HttpResponse<byte[]> limited = proxy("GET", idA, "rest", resource + "?q=roleAssignee", key(orgA, "proxy"),
                null, Map.of());
        assertThat(limited.statusCode()).as(text(limited)).isEqualTo(429);
        assertThat(code(limited)).isEqualTo("rate_limited");
        assertThat(Long.parseLong(limited.headers().firstValue("Retry-After").orElseThrow()))
                .as("until 00:00 UTC, as sync recorded it").isPositive();
        assertThat(bed.sandbox.linkedin().requests()).as("no platform call").isEqualTo(before);

        HttpResponse<byte[]> other = proxy("GET", idB, "rest", resource + "?q=roleAssignee", key(orgB, "proxy"), null,
                Map.of());
        assertThat(other.statusCode()).as("another member's quota is its own: " + text(other)).isEqualTo(200);
    }

    @Test
    void a_linkedin_member_limit_met_through_the_proxy_defers_that_members_next_sync_only() throws Exception {
        start();
        String idA = OAuthUser.connect(cli, orgA, "linkedin").get("id").asText();
        bed.sandbox.linkedin().signIn(OTHER_MEMBER);
        OAuthUser.connect(cli, orgB, "linkedin");
        // Once, to the proxied call: the sync after it would be answered, were the limit not recorded.
        bed.sandbox.linkedin().answerNext("/rest/organizationAcls", 429, "TOO_MANY_REQUESTS", 101,
                "Resource level throttle APPLICATION_AND_MEMBER DAY limit for calls to this resource is reached.");
        HttpResponse<byte[]> throttled = proxy("GET", idA, "rest", "organizationAcls?q=roleAssignee",
                key(orgA, "proxy"), null, Map.of());
        assertThat(throttled.statusCode()).as("the platform's answer as it came").isEqualTo(429);
        assertThat(throttled.headers().firstValue("X-Cmis-Outcome")).hasValue("rate_limited");
        assertThat(one("SELECT string_agg(scope, ',') FROM cmis_platform.rate_limits")).as("recorded for the member")
                .contains("member:" + io.cmis.platform.sandbox.LinkedInSimulator.MEMBER + ":/rest/organizationAcls");

        CliRun.Result sync = cli.run("--json", "sync");
        Map<String, JsonNode> byOrg = syncItems(sync);
        assertThat(byOrg.get(orgA).get("outcome").asText()).as(sync.stdout()).isEqualTo("deferred");
        assertThat(byOrg.get(orgA).get("limited_scope").asText())
                .isEqualTo("member:" + io.cmis.platform.sandbox.LinkedInSimulator.MEMBER + ":/rest/organizationAcls");
        assertThat(byOrg.get(orgB).get("outcome").asText()).as("another member, another org: synced")
                .isEqualTo("synced");
    }

    private static final String OTHER_MEMBER = "urn:li:person:sandboxMember2";

    private static Map<String, JsonNode> syncItems(CliRun.Result sync) throws Exception {
        Map<String, JsonNode> byOrg = new java.util.HashMap<>();
        Json.MAPPER.readTree(sync.stdout()).get("items").forEach(item -> byOrg.put(item.get("org_id").asText(), item));
        return byOrg;
    }

    @Test
    void an_open_breaker_is_503_with_retry_after_and_no_platform_call() throws Exception {
        start();
        String id = OAuthUser.connect(cli, orgA, "meta").get("id").asText();
        String key = key(orgA, "proxy");
        bed.sandbox.meta().failNext(5, ".*/123/feed", Fault.TRANSIENT);
        for (int i = 0; i < 5; i++) {
            int calls = bed.sandbox.meta().requests();
            // A POST may have reached the platform: never sent twice; a GET is the application's to repeat too.
            HttpResponse<byte[]> failed = i == 0
                    ? proxy("POST", id, "graph", "123/feed", key, "message=hi".getBytes(StandardCharsets.UTF_8),
                    Map.of("Content-Type", "application/x-www-form-urlencoded"))
                    : proxy("GET", id, "graph", "123/feed", key, null, Map.of());
            assertThat(failed.statusCode()).as("the platform's 500, not retried").isEqualTo(500);
            assertThat(failed.headers().firstValue("X-Cmis-Outcome")).hasValue("transient");
            assertThat(bed.sandbox.meta().requests()).as("one platform call").isEqualTo(calls + 1);
        }
        int before = bed.sandbox.meta().requests();
        HttpResponse<byte[]> open = proxy("GET", id, "graph", "123/feed", key, null, Map.of());
        assertThat(open.statusCode()).as(text(open)).isEqualTo(503);
        assertThat(code(open)).isEqualTo("breaker_open");
        assertThat(open.headers().firstValue("Retry-After")).isPresent();
        assertThat(bed.sandbox.meta().requests()).isEqualTo(before);
    }

    @Test
    void a_body_over_proxy_max_body_is_413_and_a_slow_platform_504() throws Exception {
        start(Map.of("CMIS_PROXY_MAX_BODY", "1KiB", "CMIS_PROXY_TIMEOUT", "1s"));
        String id = OAuthUser.connect(cli, orgA, "meta").get("id").asText();
        String key = key(orgA, "proxy");
        int before = bed.sandbox.meta().requests();
        HttpResponse<byte[]> large = proxy("POST", id, "graph", "act_1/adimages", key, new byte[1025],
                Map.of("Content-Type", "application/octet-stream"));
        assertThat(large.statusCode()).isEqualTo(413);
        assertThat(code(large)).isEqualTo("too_large");
        assertThat(bed.sandbox.meta().requests()).isEqualTo(before);
        assertThat(proxy("POST", id, "graph", "act_1/adimages", key, new byte[1024],
                Map.of("Content-Type", "application/octet-stream")).statusCode()).isEqualTo(200);

        bed.sandbox.meta().latency(Duration.ofMillis(1500));
        HttpResponse<byte[]> slow = proxy("GET", id, "graph", "123/feed", key, null, Map.of());
        bed.sandbox.meta().latency(Duration.ZERO);
        assertThat(slow.statusCode()).as(text(slow)).isEqualTo(504);
        assertThat(code(slow)).isEqualTo("platform_timeout");
        assertThat(slow.headers().firstValue("X-Cmis-Outcome")).hasValue("timeout");
    }

    @Test
    void no_token_key_or_proof_reaches_the_log_and_metrics_count_proxied_calls() throws Exception {
        start();
        String id = OAuthUser.connect(cli, orgA, "meta").get("id").asText();
        String key = key(orgA, "proxy");
        String token = Json.MAPPER.readTree(cli.run("tokens", "get", id).ok().stdout()).get("access_token").asText();
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        Logging.configure(new LogSettings("text", "trace"), true, new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            proxy("GET", id, "graph", "123/feed?x=1", key, null, Map.of());
            bed.sandbox.meta().failNext(1, ".*/123/feed", Fault.PERMANENT);
            proxy("GET", id, "graph", "123/feed", key, null, Map.of());
            bed.sandbox.meta().failNext(1, ".*/123/feed", Fault.TOKEN_EXPIRED);
            proxy("GET", id, "graph", "123/feed", key, null, Map.of());
        } finally {
            Logging.configure(new LogSettings("text", "warn"), false, System.err);
        }
        String log = captured.toString(StandardCharsets.UTF_8);
        assertThat(log).doesNotContain(token).doesNotContain(token.substring(4, 16))
                .doesNotContain(key.substring(key.length() - 30)).doesNotContain("appsecret_proof=");
        String metrics = server.get("/metrics").body();
        assertThat(metrics).contains("cmis_proxy_requests_total{outcome=\"ok\",platform=\"meta\"} 1.0")
                .contains("cmis_proxy_requests_total{outcome=\"permanent\",platform=\"meta\"} 1.0")
                .contains("cmis_proxy_requests_total{outcome=\"reauth\",platform=\"meta\"} 1.0")
                .contains("cmis_api_call_duration_seconds");
        bed.flushCallLog();
        JsonNode health = Json.MAPPER.readTree(cli.run("--json", "health").stdout()).at("/components/api_calls/meta");
        assertThat(health.get("proxied").asLong()).as("three platform calls (Meta renews no token: no retry) " + health).isEqualTo(3);
        assertThat(health.get("total").asLong()).as("and the connect's own calls").isGreaterThan(3);
    }

    @Test
    void integrations_call_makes_the_same_call_and_prints_the_body_on_stdout_and_the_status_on_stderr() throws Exception {
        start();
        String id = OAuthUser.connect(cli, orgA, "meta").get("id").asText();
        int before = bed.sandbox.meta().requests();
        CliRun.Result got = cli.run("integrations", "call", id, "GET", "123/feed?fields=id%2Cname");
        assertThat(got.exitCode()).as(got.all()).isZero();
        JsonNode echo = Json.MAPPER.readTree(got.stdout());
        assertThat(echo.get("path").asText()).endsWith("/123/feed");
        assertThat(echo.get("query").asText()).startsWith("fields=id%2Cname");
        assertThat(got.stderr().strip()).isEqualTo("HTTP 200 ok");

        java.nio.file.Path file = java.nio.file.Files.createTempFile("proxy", ".json");
        java.nio.file.Files.writeString(file, "{\"a\":1}");
        CliRun.Result posted = cli.run("integrations", "call", id, "POST", "act_1000000001/campaigns", "--api", "graph",
                "--data", "@" + file, "--header", "Content-Type: application/json");
        assertThat(posted.exitCode()).as(posted.all()).isZero();
        assertThat(Json.MAPPER.readTree(posted.stdout()).get("body_sha256").asText())
                .isEqualTo(sha256("{\"a\":1}".getBytes(StandardCharsets.UTF_8)));
        assertThat(bed.sandbox.meta().requests()).isEqualTo(before + 2);

        bed.sandbox.meta().failNext(1, ".*/123/feed", Fault.PERMANENT);
        CliRun.Result failed = cli.run("integrations", "call", id, "GET", "123/feed");
        assertThat(failed.exitCode()).isEqualTo(1);
        assertThat(failed.stderr().strip()).isEqualTo("HTTP 400 permanent");

        assertThat(cli.run("integrations", "call", id, "GET", "me", "--api", "nope").exitCode()).isEqualTo(2);
        assertThat(cli.run("integrations", "call", id, "GET", "me", "--header", "no-colon").exitCode()).isEqualTo(2);
        assertThat(cli.run("integrations", "call", id, "PATCH", "me").exitCode()).isEqualTo(2);
        CliRun.Result escape = cli.run("integrations", "call", id, "GET", "../oauth/access_token");
        assertThat(escape.exitCode()).isEqualTo(2);
        assertThat(escape.stderr()).contains("path_not_allowed").doesNotContain("Exception");
        assertThat(bed.sandbox.meta().requests()).isEqualTo(before + 3);
    }

    @Test
    void on_postgresql_15_through_pgbouncer_refresh_retry_limits_and_the_call_log_hold_alike() throws Exception {
        bed = PlatformTestBed.onProductionDatabase(true);
        server = new WebhookServer(bed);
        cli = bed.cli();
        String google = OAuthUser.connect(cli, orgA, "google").get("id").asText();
        String meta = OAuthUser.connect(cli, orgA, "meta").get("id").asText();
        String key = key(orgA, "proxy");
        int refreshes = bed.sandbox.google().requests("/token");
        bed.clock.advance(Duration.ofMinutes(55));
        bed.sandbox.google().failNext(1, ".*/youtube/v3/sandbox-probe", Fault.TOKEN_EXPIRED);
        HttpResponse<byte[]> answer = proxy("GET", google, "youtube", "sandbox-probe?x=1", key, null, Map.of());
        assertThat(answer.statusCode()).as(text(answer)).isEqualTo(200);
        assertThat(bed.sandbox.google().requests("/token")).as("due: refreshed; refused: refreshed once more")
                .isEqualTo(refreshes + 2);

        bed.sandbox.meta().throttleAdAccount("act_1000000001", Duration.ofMinutes(7));
        assertThat(cli.run("--json", "sync").exitCode()).isEqualTo(1);
        int before = bed.sandbox.meta().requests();
        HttpResponse<byte[]> limited = proxy("GET", meta, "graph", "act_1000000001/insights", key, null, Map.of());
        assertThat(limited.statusCode()).isEqualTo(429);
        assertThat(bed.sandbox.meta().requests()).isEqualTo(before);
        bed.flushCallLog();
        long logged = bed.jdbi.withHandle(h -> h.createQuery("SELECT count(*) FROM cmis_platform.platform_api_calls "
                + "WHERE endpoint = 'proxy:youtube /sandbox-probe'").mapTo(Long.class).one());
        assertThat(logged).as("the refused call and its retry").isEqualTo(2);
    }

    @Test
    void a_proxy_setting_that_cannot_be_read_stops_every_command_with_one_line() throws Exception {
        start();
        for (String[] bad : List.of(new String[]{"CMIS_PROXY_MAX_BODY", "lots"}, new String[]{"CMIS_PROXY_MAX_BODY", "0"},
                new String[]{"CMIS_PROXY_MAX_BODY", "200MiB"}, new String[]{"CMIS_PROXY_TIMEOUT", "-1s"})) {
            CliRun.Result refused = bed.cli().env(bad[0], bad[1]).run("integrations", "list");
            assertThat(refused.exitCode()).as(bad[0] + "=" + bad[1]).isEqualTo(2);
            assertThat(refused.stderr().strip().lines()).hasSize(1);
            assertThat(refused.stderr()).contains(bad[0].substring(5).toLowerCase().replace('_', '.').replace("max.body", "max-body"))
                    .doesNotContain("Exception");
        }
    }

    // --- helpers ----------------------------------------------------------------------------------

    private Simulator simulator(String platform) {
        return switch (platform) {
            case "meta" -> bed.sandbox.meta();
            case "google" -> bed.sandbox.google();
            case "tiktok" -> bed.sandbox.tiktok();
            case "snapchat" -> bed.sandbox.snapchat();
            case "linkedin" -> bed.sandbox.linkedin();
            default -> bed.sandbox.x();
        };
    }

    private HttpResponse<byte[]> proxy(String method, String integration, String api, String rest, String key, byte[] body,
                                       Map<String, String> headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(server.uri("/api/v1/proxy/" + integration + "/" + api + "/"
                        + rest)).header("Authorization", "Bearer " + key)
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
        headers.forEach(request::header);
        return send(request);
    }

    private HttpResponse<byte[]> send(HttpRequest.Builder request) throws Exception {
        return client.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    /** A request written by hand, so that the target goes out exactly as given; the status and the body. */
    private String[] raw(String method, String target, String key, String... extraHeaderLines) throws Exception {
        try (Socket socket = new Socket("127.0.0.1", server.server.port())) {
            OutputStream out = socket.getOutputStream();
            StringBuilder request = new StringBuilder(method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                    + "Authorization: Bearer " + key + "\r\nConnection: close\r\n");
            for (String line : extraHeaderLines) {
                request.append(line).append("\r\n");
            }
            out.write(request.append("\r\n").toString().getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            InputStream in = socket.getInputStream();
            String answer = new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
            String status = answer.length() > 12 ? answer.substring(9, 12) : answer;
            int bodyAt = answer.indexOf("\r\n\r\n");
            return new String[]{status, bodyAt < 0 ? "" : answer.substring(bodyAt + 4)};
        }
    }

    private String key(String org, String scopes) throws Exception {
        return Json.MAPPER.readTree(cli.run("--json", "api-keys", "create", "--org", org, "--name", "test",
                "--scopes", scopes).ok().stdout()).get("key").asText();
    }

    private String one(String sql) {
        return TestPostgres.superuser(bed.database).withHandle(h -> h.createQuery(sql).mapTo(String.class).one());
    }

    private static String code(HttpResponse<byte[]> response) throws Exception {
        return Json.MAPPER.readTree(response.body()).at("/error/code").asText();
    }

    private static String text(HttpResponse<byte[]> response) {
        return new String(response.body(), StandardCharsets.UTF_8);
    }

    private static String sha256(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }
}
