package io.cmis.platform.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.cmis.platform.cli.Json;
import io.cmis.platform.support.Browser;
import io.cmis.platform.support.CliRun;
import io.cmis.platform.support.PlatformTestBed;
import io.cmis.platform.support.WebhookServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * POST /api/v1/connect/{platform} over real HTTP, and the user's browser (a cookie-keeping client)
 * through serve's start link, the sandbox's consent and serve's callback back to the application.
 */
class ConnectApiTest {
    private static final String APP = "https://app.example.com/app";
    private final String orgA = UUID.randomUUID().toString();
    private final String orgB = UUID.randomUUID().toString();
    private final HttpClient client = HttpClient.newHttpClient();
    private PlatformTestBed bed;
    private WebhookServer server;
    private CliRun cli;

    @BeforeEach
    void start() {
        bed = new PlatformTestBed(Map.of("CMIS_CONNECT_RETURN_URLS", APP + ",https://other.example.com/back/",
                // Snapchat's only redirect URI is not serve's callback: no browser flow can start for it.
                "CMIS_SNAPCHAT_REDIRECT_URIS", "https://elsewhere.example/snapchat/back"));
        server = new WebhookServer(bed);
        cli = bed.cli();
    }

    @AfterEach
    void stop() {
        server.close();
        bed.close();
    }

    @Test
    void the_app_starts_a_flow_its_user_connects_and_the_browser_returns_to_return_to_with_the_integration()
            throws Exception {
        String key = key(orgA, "connect");
        HttpResponse<String> started = connect(key, "meta", "{\"return_to\":\"" + APP + "/done?tab=meta&q=a%20b\"}");

        assertThat(started.statusCode()).isEqualTo(200);
        assertThat(started.headers().firstValue("Cache-Control")).hasValue("no-store");
        JsonNode flow = json(started);
        assertThat(fields(flow)).containsExactly("authorization_url", "state", "expires_at", "platform");
        assertThat(flow.get("authorization_url").asText()).startsWith("http://127.0.0.1:8080/oauth/start/meta?link=l");
        assertThat(flow.get("platform").asText()).isEqualTo("meta");
        assertThat(Instant.parse(flow.get("expires_at").asText())).isEqualTo(bed.clock.instant().plus(Duration.ofMinutes(2)));
        String state = flow.get("state").asText();
        assertThat(UUID.fromString(state)).hasToString(state);

        Browser user = new Browser();
        Browser.Landing landing = visitPlatform(user, flow);
        HttpResponse<String> back = user.get(landing.callback());

        assertThat(back.statusCode()).isEqualTo(303);
        URI location = URI.create(back.headers().firstValue("location").orElseThrow());
        assertThat(location.getScheme() + "://" + location.getRawAuthority() + location.getRawPath())
                .isEqualTo(APP + "/done");
        Map<String, String> query = query(location);
        assertThat(query.keySet()).containsExactly("tab", "q", "state", "integration_id", "status");
        assertThat(location.getRawQuery()).startsWith("tab=meta&q=a%20b&state=");
        assertThat(query).containsEntry("state", state).containsEntry("status", "connected");
        assertThat(location.toString()).doesNotContain(landing.code());
        assertThat(back.headers().firstValue("Referrer-Policy")).hasValue("no-referrer");
        assertThat(back.headers().allValues("set-cookie")).anyMatch(c -> c.contains("Max-Age=0"));

        String integration = query.get("integration_id");
        HttpResponse<String> own = get("/api/v1/integrations/" + integration, key(orgA, "integrations:read"));
        assertThat(own.statusCode()).isEqualTo(200);
        assertThat(json(own).get("org_id").asText()).isEqualTo(orgA);
        assertThat(get("/api/v1/integrations/" + integration, key(orgB, "integrations:read")).statusCode())
                .isEqualTo(404);
        List<String> orgs = bed.jdbi.withHandle(h -> h.createQuery("SELECT org_id::text FROM cmis_platform.integrations")
                .mapTo(String.class).list());
        assertThat(orgs).containsExactly(orgA);
    }

    @Test
    void a_declined_an_expired_and_a_failed_flow_return_to_return_to_with_a_stable_error_and_store_nothing()
            throws Exception {
        String key = key(orgA, "connect");
        JsonNode declined = json(connect(key, "meta", "{\"return_to\":\"" + APP + "\"}"));
        Browser user = new Browser();
        Browser.Landing landing = visitPlatform(user, declined);
        HttpResponse<String> refused = user.get(server.uri("/oauth/callback/meta?state=" + enc(landing.state())
                + "&error=access_denied&error_description=" + enc("The user denied")));
        assertThat(refused.statusCode()).isEqualTo(303);
        assertThat(refused.headers().firstValue("location")).hasValue(APP + "?state="
                + declined.get("state").asText() + "&error=access_denied");

        JsonNode late = json(connect(key, "google", "{\"return_to\":\"" + APP + "/g\"}"));
        Browser.Landing lateLanding = visitPlatform(user, late);
        bed.clock.advance(Duration.ofMinutes(16)); // past connect.state-ttl
        HttpResponse<String> expired = user.get(lateLanding.callback());
        assertThat(expired.headers().firstValue("location")).hasValue(APP + "/g?state="
                + late.get("state").asText() + "&error=expired");

        JsonNode broken = json(connect(key, "meta", "{\"return_to\":\"" + APP + "\"}"));
        Browser.Landing brokenLanding = visitPlatform(user, broken);
        HttpResponse<String> failed = user.get(server.uri("/oauth/callback/meta?state=" + enc(brokenLanding.state())
                + "&code=not-the-code"));
        assertThat(failed.statusCode()).isEqualTo(303);
        assertThat(failed.headers().firstValue("location")).hasValue(APP + "?state="
                + broken.get("state").asText() + "&error=failed");
        assertThat(integrations()).isEqualTo("[]");
    }

    @Test
    void an_oauth_1_flow_of_x_returns_the_same_way_connected_or_denied() throws Exception {
        String key = key(orgA, "connect");
        JsonNode connected = json(connect(key, "x", "{\"return_to\":\"" + APP + "\"}"));
        Browser user = new Browser();
        HttpResponse<String> back = user.get(visitPlatform(user, connected).callback());
        assertThat(back.statusCode()).isEqualTo(303);
        Map<String, String> query = query(URI.create(back.headers().firstValue("location").orElseThrow()));
        assertThat(query).containsEntry("state", connected.get("state").asText()).containsEntry("status", "connected")
                .containsKey("integration_id");

        bed.sandbox.x().denyAuthorization(true);
        JsonNode denied = json(connect(key, "x", "{\"return_to\":\"" + APP + "\"}"));
        Browser.Landing landing = visitPlatform(user, denied);
        assertThat(landing.callback().getQuery()).contains("denied=");
        HttpResponse<String> refused = user.get(landing.callback());
        assertThat(refused.headers().firstValue("location")).hasValue(APP + "?state=" + denied.get("state").asText()
                + "&error=access_denied");
        assertThat(json(get("/api/v1/integrations", key(orgA, "integrations:read"))).get("data")).hasSize(1);
    }

    @Test
    void without_return_to_the_callback_page_stays_as_it_was() throws Exception {
        Browser user = new Browser();
        Browser.Landing landing = visitPlatform(user, json(connect(key(orgA, "connect"), "google", "")));
        HttpResponse<String> page = user.get(landing.callback());

        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.headers().firstValue("location")).isEmpty();
        assertThat(page.body()).contains("is connected");
        assertThat(integrations()).contains("\"google\"");
    }

    @Test
    void every_evil_return_to_is_refused_and_nothing_is_stored() throws Exception {
        String key = key(orgA, "connect");
        for (String evil : List.of("https://app.example.com@evil.com/app", "//evil.com/app",
                "https://app.example.com.evil.com/app", "https:/\\\\evil.com/app", "https://APP.example.com/app",
                "https://app.example.com/%2e%2e/app", "https://app.example.com/app/%2e%2e/evil",
                "javascript:alert(1)", "https://app.example.com:8443/app", "http://app.example.com/app",
                "https://app.example.com/app/../evil", "https://app.example.com/application",
                "https://app.example.com/app#x", "https://app.example.com/app?state=forged",
                "https://other.example.com/back", "https://app.example.com/app\\u000d\\u000aX-Evil: 1", "")) {
            HttpResponse<String> refused = connect(key, "meta", "{\"return_to\":\"" + evil + "\"}");
            assertThat(refused.statusCode()).as(evil).isEqualTo(400);
            assertThat(json(refused).at("/error/code").asText()).as(evil).isEqualTo("return_to_not_allowed");
            assertThat(refused.body()).as(evil).doesNotContain("evil");
        }
        assertThat(flows()).isZero();
    }

    @Test
    void a_malformed_body_is_400_without_echoing_it_and_stores_nothing() throws Exception {
        String key = key(orgA, "connect");
        for (String body : List.of("{", "[]", "null", "\"x\"", "{} {}", "{\"return_to\":5}",
                "{\"return_to\":\"" + APP + "\",\"return_to\":\"https://evil.com/\"}", "{\"scopes\":\"ads_read\"}",
                "{\"scopes\":[]}", "{\"scopes\":[1]}", "{\"scopes\":[\"ads_read,evil_scope\"]}",
                "{\"scopes\":[\"ads read\"]}", "{\"kind\":\"<script>evil</script>\"}", "{\"kind\":\"advertiser\"}",
                "{\"org_id\":\"" + orgB + "\"}", "{\"redirect_uri\":\"https://evil.com/\"}")) {
            HttpResponse<String> refused = connect(key, "meta", body);
            assertThat(refused.statusCode()).as(body).isEqualTo(400);
            assertThat(json(refused).at("/error/code").asText()).as(body).isEqualTo("invalid_request");
            assertThat(refused.body()).as(body).doesNotContain("evil").doesNotContain(orgB);
        }
        assertThat(flows()).isZero();
        assertThat(connect(key, "tiktok", "{\"kind\":\"tt_user\",\"scopes\":[\"user.info.basic\"]}").statusCode())
                .as("a kind of that platform, and scopes").isEqualTo(200);
    }

    @Test
    void a_key_of_org_a_cannot_make_a_flow_for_org_b() throws Exception {
        String keyA = key(orgA, "connect");
        HttpResponse<String> started = send(HttpRequest.newBuilder(server.uri("/api/v1/connect/meta?org_id=" + orgB
                        + "&org=" + orgB)).header("Authorization", "Bearer " + keyA).header("X-Org-Id", orgB)
                .POST(HttpRequest.BodyPublishers.ofString("{\"return_to\":\"" + APP + "\"}")));
        assertThat(started.statusCode()).isEqualTo(200);
        JsonNode flow = json(started);
        String flowOrg = bed.jdbi.withHandle(h -> h.createQuery("SELECT org_id::text FROM cmis_platform.oauth_states "
                + "WHERE id = CAST(:id AS uuid)").bind("id", flow.get("state").asText()).mapTo(String.class).one());
        assertThat(flowOrg).isEqualTo(orgA);

        Browser user = new Browser();
        HttpResponse<String> back = user.get(visitPlatform(user, flow).callback());
        assertThat(back.statusCode()).isEqualTo(303);
        assertThat(json(get("/api/v1/integrations", key(orgA, "integrations:read"))).get("data")).hasSize(1);
        assertThat(json(get("/api/v1/integrations", key(orgB, "integrations:read"))).get("data")).isEmpty();
    }

    @Test
    void without_the_connect_scope_it_is_403_an_unknown_platform_404_and_no_serve_callback_400() throws Exception {
        HttpResponse<String> readOnly = connect(key(orgA, "integrations:read,credentials:read"), "meta",
                "{\"return_to\":\"" + APP + "\"}");
        assertThat(readOnly.statusCode()).isEqualTo(403);
        assertThat(json(readOnly).at("/error/code").asText()).isEqualTo("insufficient_scope");

        String key = key(orgA, "connect");
        HttpResponse<String> unknown = connect(key, "myspace", "");
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(json(unknown).at("/error/code").asText()).isEqualTo("not_found");

        HttpResponse<String> noCallback = connect(key, "snapchat", "");
        assertThat(noCallback.statusCode()).isEqualTo(400);
        assertThat(json(noCallback).at("/error/code").asText()).isEqualTo("callback_not_configured");
        assertThat(json(noCallback).at("/error/message").asText()).contains("snapchat.redirect-uris");

        HttpResponse<String> noKey = send(HttpRequest.newBuilder(server.uri("/api/v1/connect/meta"))
                .POST(HttpRequest.BodyPublishers.ofString("{}")));
        assertThat(noKey.statusCode()).isEqualTo(401);
        assertThat(flows()).isZero();
    }

    @Test
    void the_start_link_lives_connect_start_link_ttl_and_opens_once_in_one_browser() throws Exception {
        String key = key(orgA, "connect");
        URI late = URI.create(json(connect(key, "meta", "{\"return_to\":\"" + APP + "\"}")).get("authorization_url")
                .asText());
        bed.clock.advance(Duration.ofMinutes(2));
        HttpResponse<String> tooLate = new Browser().open(server, late);
        assertThat(tooLate.statusCode()).isEqualTo(400);
        assertThat(tooLate.headers().firstValue("location")).isEmpty();

        URI link = URI.create(json(connect(key, "meta", "{\"return_to\":\"" + APP + "\"}")).get("authorization_url")
                .asText());
        assertThat(new Browser().open(server, link).statusCode()).isEqualTo(302);
        HttpResponse<String> again = new Browser().open(server, link);
        assertThat(again.statusCode()).isEqualTo(400);
        assertThat(again.headers().firstValue("location")).isEmpty();
        assertThat(again.headers().firstValue("set-cookie")).isEmpty();
    }

    @Test
    void an_authorization_url_relayed_to_another_browser_does_not_complete_and_does_not_return_to_the_app()
            throws Exception {
        JsonNode flow = json(connect(key(orgA, "connect"), "meta", "{\"return_to\":\"" + APP + "\"}"));
        Browser appUser = new Browser();
        HttpResponse<String> opened = appUser.open(server, URI.create(flow.get("authorization_url").asText()));
        URI authorization = URI.create(opened.headers().firstValue("location").orElseThrow());

        Browser victim = new Browser(); // consents at the platform, which sends the victim's browser back
        Browser.Landing landing = victim.consent(server, authorization, "");
        HttpResponse<String> refused = victim.get(landing.callback());

        assertThat(refused.statusCode()).isEqualTo(403);
        assertThat(refused.headers().firstValue("location")).isEmpty();
        assertThat(refused.body()).contains("started in another browser").doesNotContain(APP);
        assertThat(integrations()).isEqualTo("[]");
        HttpResponse<String> again = victim.get(landing.callback()); // the flow has ended; still not the victim's
        assertThat(again.statusCode()).isEqualTo(400);
        assertThat(again.headers().firstValue("location")).isEmpty();
        // Cancelled: not even the app user's browser completes it now; it goes back to the app with an error.
        HttpResponse<String> afterwards = appUser.get(landing.callback());
        assertThat(afterwards.statusCode()).isEqualTo(303);
        assertThat(afterwards.headers().firstValue("location")).hasValue(APP + "?state=" + flow.get("state").asText()
                + "&error=failed");
        assertThat(integrations()).isEqualTo("[]");
    }

    @Test
    void a_start_link_opened_in_another_browser_returns_with_the_flow_id_the_app_must_find_in_its_users_session()
            throws Exception {
        // What serve cannot tell: the start link itself opened first by someone else. The return carries the
        // flow's id, so the application sees it is not the flow it started for the signed-in user.
        String key = key(orgA, "connect");
        JsonNode mine = json(connect(key, "meta", "{\"return_to\":\"" + APP + "\"}"));
        JsonNode relayed = json(connect(key, "meta", "{\"return_to\":\"" + APP + "\"}"));
        Browser someoneElse = new Browser();
        HttpResponse<String> back = someoneElse.get(visitPlatform(someoneElse, relayed).callback());

        Map<String, String> query = query(URI.create(back.headers().firstValue("location").orElseThrow()));
        assertThat(query.get("state")).isEqualTo(relayed.get("state").asText())
                .isNotEqualTo(mine.get("state").asText());
    }

    /** The user's browser opens the start link (getting the cookie) and consents at the sandbox. */
    private Browser.Landing visitPlatform(Browser browser, JsonNode flow) throws Exception {
        HttpResponse<String> start = browser.open(server, URI.create(flow.get("authorization_url").asText()));
        assertThat(start.statusCode()).as(start.body()).isEqualTo(302);
        return browser.consent(server, URI.create(start.headers().firstValue("location").orElseThrow()),
                start.headers().firstValue("set-cookie").orElse(""));
    }

    private HttpResponse<String> connect(String key, String platform, String body) throws Exception {
        return send(HttpRequest.newBuilder(server.uri("/api/v1/connect/" + platform))
                .header("Authorization", "Bearer " + key).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)));
    }

    private HttpResponse<String> get(String path, String key) throws Exception {
        return send(HttpRequest.newBuilder(server.uri(path)).header("Authorization", "Bearer " + key).GET());
    }

    private HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
        return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private String key(String org, String scopes) throws Exception {
        return Json.MAPPER.readTree(cli.run("--json", "api-keys", "create", "--org", org, "--name", "app",
                "--scopes", scopes).ok().stdout()).get("key").asText();
    }

    private long flows() {
        return bed.jdbi.withHandle(h -> h.createQuery("SELECT count(*) FROM cmis_platform.oauth_states")
                .mapTo(Long.class).one());
    }

    private String integrations() {
        return cli.run("--json", "integrations", "list").ok().stdout().replaceAll("\\s", "");
    }

    private static List<String> fields(JsonNode node) {
        List<String> names = new java.util.ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }

    private static Map<String, String> query(URI uri) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String pair : uri.getRawQuery().split("&")) {
            String[] kv = pair.split("=", 2);
            out.put(kv[0], kv.length < 2 ? "" : URLDecoder.decode(kv[1], StandardCharsets.UTF_8));
        }
        return out;
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    private static JsonNode json(HttpResponse<String> response) throws Exception {
        return Json.MAPPER.readTree(response.body());
    }
}
