package io.cmis.platform.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.cmis.platform.cli.Json;
import io.cmis.platform.support.CliRun;
import io.cmis.platform.support.OAuthUser;
import io.cmis.platform.support.PlatformTestBed;
import io.cmis.platform.support.TestPostgres;
import io.cmis.platform.support.WebhookServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/** /api/v1 over real HTTP: keys, org isolation, paging, and everything refused with nothing said. */
class ApplicationApiTest {
    private final String orgA = UUID.randomUUID().toString();
    private final String orgB = UUID.randomUUID().toString();
    private final HttpClient client = HttpClient.newHttpClient();
    private PlatformTestBed bed;
    private WebhookServer server;
    private CliRun cli;

    @BeforeEach
    void start() throws Exception {
        bed = new PlatformTestBed();
        server = new WebhookServer(bed);
        cli = bed.cli();
        OAuthUser.connect(cli, orgA, "meta");
        OAuthUser.connect(cli, orgB, "meta");
        OAuthUser.connect(cli, orgB, "tiktok");
        cli.run("sync").ok();
    }

    @AfterEach
    void stop() {
        server.close();
        bed.close();
    }

    @Test
    void each_key_sees_its_own_org_only_on_every_route_and_another_orgs_id_is_404() throws Exception {
        String keyA = key(orgA, "integrations:read");
        String keyB = key(orgB, "integrations:read");
        for (String path : List.of("/api/v1/integrations", "/api/v1/channels", "/api/v1/ad-accounts")) {
            JsonNode a = json(get(path, keyA));
            JsonNode b = json(get(path, keyB));
            assertThat(a.get("data").size()).as(path + " of A").isPositive();
            assertThat(b.get("data").size()).as(path + " of B").isPositive();
            a.get("data").forEach(row -> assertThat(row.get("org_id").asText()).isEqualTo(orgA));
            b.get("data").forEach(row -> assertThat(row.get("org_id").asText()).isEqualTo(orgB));
        }
        JsonNode integrationsOfB = json(get("/api/v1/integrations", keyB)).get("data");
        assertThat(integrationsOfB).hasSize(2);
        String idOfB = integrationsOfB.get(0).get("id").asText();
        HttpResponse<String> own = get("/api/v1/integrations/" + idOfB, keyB);
        assertThat(own.statusCode()).isEqualTo(200);
        assertThat(json(own).get("org_id").asText()).isEqualTo(orgB);
        assertThat(own.body()).doesNotContain("token\":\"").doesNotContain("access_token");

        HttpResponse<String> foreign = get("/api/v1/integrations/" + idOfB, keyA);
        HttpResponse<String> missing = get("/api/v1/integrations/" + UUID.randomUUID(), keyA);
        assertThat(foreign.statusCode()).isEqualTo(404);
        assertThat(foreign.body()).as("another org's id answers exactly as an id that does not exist")
                .isEqualTo(missing.body()).doesNotContain(orgB).doesNotContain(idOfB);
        assertThat(get("/api/v1/integrations/not-an-id", keyA).body()).isEqualTo(missing.body());
    }

    @Test
    void an_org_in_the_request_changes_nothing_the_org_comes_from_the_key() throws Exception {
        String keyA = key(orgA, "integrations:read");
        JsonNode rows = json(get("/api/v1/integrations?org_id=" + orgB + "&org=" + orgB, keyA)).get("data");
        assertThat(rows).hasSize(1);
        assertThat(rows.get(0).get("org_id").asText()).isEqualTo(orgA);
    }

    @Test
    void lists_filter_and_page_with_a_cursor() throws Exception {
        String keyB = key(orgB, "integrations:read");
        JsonNode tiktok = json(get("/api/v1/integrations?platform=tiktok", keyB)).get("data");
        assertThat(tiktok).hasSize(1);
        assertThat(tiktok.get(0).get("platform").asText()).isEqualTo("tiktok");
        assertThat(json(get("/api/v1/integrations?status=needs_reauth", keyB)).get("data")).isEmpty();

        List<String> all = ids(json(get("/api/v1/channels?limit=500", keyB)));
        assertThat(all.size()).isGreaterThan(2);
        List<String> paged = new ArrayList<>();
        String cursor = null;
        int pages = 0;
        do {
            JsonNode page = json(get("/api/v1/channels?limit=2" + (cursor == null ? "" : "&cursor=" + cursor), keyB));
            assertThat(page.get("data").size()).isLessThanOrEqualTo(2);
            paged.addAll(ids(page));
            cursor = page.get("next_cursor").isNull() ? null : page.get("next_cursor").asText();
            pages++;
        } while (cursor != null && pages < 100);
        assertThat(paged).as("every row once, in the same order").isEqualTo(all);

        for (String bad : List.of("?limit=0", "?limit=501", "?limit=x", "?cursor=x", "?platform=myspace")) {
            HttpResponse<String> refused = get("/api/v1/channels" + bad, keyB);
            assertThat(refused.statusCode()).as(bad).isEqualTo(400);
            assertThat(json(refused).at("/error/code").asText()).isEqualTo("invalid_request");
        }
        assertThat(get("/api/v1/integrations?status=sleeping", keyB).statusCode()).isEqualTo(400);
    }

    @Test
    void no_key_a_malformed_key_a_wrong_key_and_a_key_in_the_query_are_401_with_nothing_else_said() throws Exception {
        String keyA = key(orgA, "integrations:read");
        String wrongSecret = keyA.substring(0, keyA.length() - 4) + (keyA.endsWith("AAAA") ? "BBBB" : "AAAA");
        List<HttpResponse<String>> refused = List.of(
                send(HttpRequest.newBuilder(uri("/api/v1/integrations")).GET()),
                get("/api/v1/integrations", "cmis_nonsense"),
                get("/api/v1/integrations", wrongSecret),
                send(HttpRequest.newBuilder(uri("/api/v1/integrations")).header("Authorization", "Basic " + keyA).GET()),
                send(HttpRequest.newBuilder(uri("/api/v1/integrations?api_key=" + keyA)).GET()),
                get("/api/v1/integrations?key=" + keyA, keyA),
                get("/api/v1/integrations?x=" + keyA, keyA),
                send(HttpRequest.newBuilder(uri("/api/v1/no-such-route")).GET()));
        String first = refused.get(0).body();
        for (HttpResponse<String> r : refused) {
            assertThat(r.statusCode()).isEqualTo(401);
            assertThat(r.body()).isEqualTo(first);
            assertThat(r.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(v -> assertThat(v).startsWith("Bearer"));
            assertThat(r.headers().firstValue("Cache-Control")).hasValue("no-store");
        }
        assertThat(json(refused.get(0)).at("/error/code").asText()).isEqualTo("unauthorized");
        assertThat(get("/api/v1/integrations", keyA).statusCode()).as("the key itself is good").isEqualTo(200);
    }

    @Test
    void a_revoked_key_is_refused_at_once_and_list_never_shows_a_key() throws Exception {
        JsonNode created = Json.MAPPER.readTree(cli.run("--json", "api-keys", "create", "--org", orgA, "--name",
                "publisher", "--scopes", "integrations:read").ok().stdout());
        String key = created.get("key").asText();
        assertThat(key).matches("cmis_[0-9a-f]{32}_[A-Za-z0-9_-]{43}");
        assertThat(get("/api/v1/integrations", key).statusCode()).isEqualTo(200);

        String listed = cli.run("--json", "api-keys", "list").ok().stdout() + cli.run("api-keys", "list").ok().stdout();
        assertThat(listed).contains(created.get("id").asText()).contains(created.get("prefix").asText())
                .doesNotContain(key).doesNotContain(key.substring(key.length() - 43));
        String stored = TestPostgres.superuser(bed.database).withHandle(h -> h.createQuery(
                "SELECT string_agg(k::text, ' ') FROM cmis_platform.api_keys k").mapTo(String.class).one());
        assertThat(stored).doesNotContain(key.substring(key.length() - 43));

        cli.run("api-keys", "revoke", created.get("id").asText()).ok();
        assertThat(get("/api/v1/integrations", key).statusCode()).isEqualTo(401);
        assertThat(cli.run("api-keys", "revoke", created.get("id").asText()).ok().stdout()).contains("already revoked");
        CliRun.Result unknown = cli.run("api-keys", "revoke", UUID.randomUUID().toString());
        assertThat(unknown.exitCode()).isEqualTo(2);
        assertThat(unknown.stderr()).contains("no API key").doesNotContain("Exception");
    }

    @Test
    void a_key_without_the_routes_scope_is_403_and_wrong_methods_are_405() throws Exception {
        String connectOnly = key(orgA, "connect");
        HttpResponse<String> refused = get("/api/v1/integrations", connectOnly);
        assertThat(refused.statusCode()).isEqualTo(403);
        assertThat(json(refused).at("/error/code").asText()).isEqualTo("insufficient_scope");
        HttpResponse<String> delete = send(HttpRequest.newBuilder(uri("/api/v1/integrations"))
                .header("Authorization", "Bearer " + connectOnly).DELETE());
        assertThat(delete.statusCode()).isEqualTo(405);
        assertThat(delete.headers().firstValue("Allow")).hasValue("GET");
    }

    @Test
    void create_refuses_a_bad_scope_or_org_with_one_line_and_stores_nothing() {
        for (String[] args : List.of(new String[]{"--org", orgA, "--name", "x", "--scopes", "everything"},
                new String[]{"--org", "not-an-org", "--name", "x"},
                new String[]{"--org", orgA, "--name", " "})) {
            List<String> line = new ArrayList<>(List.of("api-keys", "create"));
            line.addAll(List.of(args));
            CliRun.Result result = cli.run(line.toArray(new String[0]));
            assertThat(result.exitCode()).as(String.join(" ", args)).isEqualTo(2);
            assertThat(result.stderr().strip().lines().count()).isLessThanOrEqualTo(2);
            assertThat(result.stderr()).doesNotContain("Exception");
        }
        assertThat(cli.run("--json", "api-keys", "list").ok().stdout().strip()).isEqualTo("[ ]");
    }

    private String key(String org, String scopes) throws Exception {
        return Json.MAPPER.readTree(cli.run("--json", "api-keys", "create", "--org", org, "--name", "test",
                "--scopes", scopes).ok().stdout()).get("key").asText();
    }

    private static List<String> ids(JsonNode page) {
        List<String> ids = new ArrayList<>();
        page.get("data").forEach(row -> ids.add(row.get("id").asText()));
        return ids;
    }

    private URI uri(String path) {
        return server.uri(path);
    }

    private HttpResponse<String> get(String path, String key) throws Exception {
        return send(HttpRequest.newBuilder(uri(path)).header("Authorization", "Bearer " + key).GET());
    }

    private HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
        return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode json(HttpResponse<String> response) throws Exception {
        return Json.MAPPER.readTree(response.body());
    }
}
