package io.cmis.platform.production;

import com.fasterxml.jackson.databind.JsonNode;
import io.cmis.platform.cli.Json;
import io.cmis.platform.support.Browser;
import io.cmis.platform.support.CliRun;
import io.cmis.platform.support.PlatformTestBed;
import io.cmis.platform.support.WebhookServer;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The application's connect on Debian's PostgreSQL 15 through PgBouncer in transaction mode, with two
 * serve processes behind one name: the flow is started on one and comes back to the other.
 */
class ConnectApiOnProductionBedTest {
    private static final String APP = "https://app.example.com/app";

    @Test
    void a_flow_started_on_one_serve_returns_to_the_app_from_the_other_and_an_evil_return_to_stores_nothing()
            throws Exception {
        String org = UUID.randomUUID().toString();
        try (PlatformTestBed bed = PlatformTestBed.onProductionDatabase(true, Map.of("CMIS_CONNECT_RETURN_URLS", APP));
             WebhookServer first = new WebhookServer(bed);
             WebhookServer second = new WebhookServer(bed)) {
            CliRun cli = bed.cli();
            String key = Json.MAPPER.readTree(cli.run("--json", "api-keys", "create", "--org", org, "--name", "app",
                    "--scopes", "connect,integrations:read").ok().stdout()).get("key").asText();
            HttpClient client = HttpClient.newHttpClient();

            HttpResponse<String> evil = client.send(post(first, key, "https://app.example.com@evil.com/app"),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(evil.statusCode()).isEqualTo(400);
            long flows = bed.jdbi.withHandle(h -> h.createQuery("SELECT count(*) FROM cmis_platform.oauth_states")
                    .mapTo(Long.class).one());
            assertThat(flows).isZero();

            JsonNode flow = Json.MAPPER.readTree(client.send(post(first, key, APP + "/done"),
                    HttpResponse.BodyHandlers.ofString()).body());
            Browser user = new Browser();
            HttpResponse<String> start = user.open(first, URI.create(flow.get("authorization_url").asText()));
            assertThat(start.statusCode()).isEqualTo(302);
            Browser.Landing landing = user.consent(first, URI.create(start.headers().firstValue("location")
                    .orElseThrow()), start.headers().firstValue("set-cookie").orElse(""));
            HttpResponse<String> back = user.get(Browser.on(second, landing.callback()));

            assertThat(back.statusCode()).isEqualTo(303);
            String location = back.headers().firstValue("location").orElseThrow();
            assertThat(location).startsWith(APP + "/done?state=" + flow.get("state").asText() + "&integration_id=")
                    .endsWith("&status=connected");
            List<String> orgs = bed.jdbi.withHandle(h -> h.createQuery(
                    "SELECT org_id::text FROM cmis_platform.integrations").mapTo(String.class).list());
            assertThat(orgs).containsExactly(org);
            PooledDatabaseTest.assertNoLockOrSettingLeftBehind(bed.jdbi);
        }
    }

    private static HttpRequest post(WebhookServer server, String key, String returnTo) {
        return HttpRequest.newBuilder(server.uri("/api/v1/connect/meta")).header("Authorization", "Bearer " + key)
                .POST(HttpRequest.BodyPublishers.ofString("{\"return_to\":\"" + returnTo + "\"}")).build();
    }
}
