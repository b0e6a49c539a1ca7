package io.cmis.platform.production;

import com.fasterxml.jackson.databind.JsonNode;
import io.cmis.platform.cli.Json;
import io.cmis.platform.support.CliRun;
import io.cmis.platform.support.OAuthUser;
import io.cmis.platform.support.PlatformTestBed;
import io.cmis.platform.support.ProductionPostgres;
import io.cmis.platform.support.WebhookServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The application API on production's topology: Debian's PostgreSQL 15 through PgBouncer in
 * transaction mode, two serve hosts over one database. Each org's key sees its org only on either
 * host, and a revocation holds on both from the next request.
 */
class ApplicationApiOnProductionBedTest {
    private final String orgA = UUID.randomUUID().toString();
    private final String orgB = UUID.randomUUID().toString();
    private final HttpClient client = HttpClient.newHttpClient();
    private PlatformTestBed bed;
    private WebhookServer first;
    private WebhookServer second;
    private CliRun cli;

    @BeforeEach
    void start() throws Exception {
        bed = PlatformTestBed.onProductionDatabase(true);
        first = new WebhookServer(bed);
        second = new WebhookServer(bed);
        cli = bed.cli();
        OAuthUser.connect(cli, orgA, "meta");
        OAuthUser.connect(cli, orgB, "meta");
        cli.run("sync").ok();
    }

    @AfterEach
    void stop() {
        if (first != null) {
            first.close();
        }
        if (second != null) {
            second.close();
        }
        if (bed != null) {
            bed.close();
        }
    }

    @Test
    void on_both_hosts_each_key_sees_its_own_org_and_a_revocation_holds_at_once() throws Exception {
        JsonNode createdA = create(orgA);
        String keyA = createdA.get("key").asText();
        String keyB = create(orgB).get("key").asText();
        String idOfB = Json.MAPPER.readTree(get(second, "/api/v1/integrations", keyB).body()).at("/data/0/id").asText();
        for (WebhookServer host : List.of(first, second)) {
            for (String path : List.of("/api/v1/integrations", "/api/v1/channels", "/api/v1/ad-accounts")) {
                JsonNode rows = Json.MAPPER.readTree(get(host, path, keyA).body()).get("data");
                assertThat(rows.size()).as(path).isPositive();
                rows.forEach(r -> assertThat(r.get("org_id").asText()).isEqualTo(orgA));
            }
            HttpResponse<String> foreign = get(host, "/api/v1/integrations/" + idOfB, keyA);
            assertThat(foreign.statusCode()).isEqualTo(404);
            assertThat(foreign.body()).doesNotContain(orgB).doesNotContain(idOfB);
        }

        cli.run("api-keys", "revoke", createdA.get("id").asText()).ok();
        assertThat(get(first, "/api/v1/integrations", keyA).statusCode()).isEqualTo(401);
        assertThat(get(second, "/api/v1/integrations", keyA).statusCode()).isEqualTo(401);
        assertThat(get(second, "/api/v1/integrations", keyB).statusCode()).as("the other org's key still works")
                .isEqualTo(200);
    }

    @Test
    void keys_and_the_tokens_handed_out_are_absent_from_a_dump_of_the_database() throws Exception {
        String key = create(orgA, "integrations:read,credentials:read").get("key").asText();
        String id = Json.MAPPER.readTree(get(first, "/api/v1/integrations", key).body()).at("/data/0/id").asText();
        HttpResponse<String> read = client.send(HttpRequest.newBuilder(second.uri("/api/v1/integrations/" + id
                        + "/credentials")).header("Authorization", "Bearer " + key)
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(read.statusCode()).isEqualTo(200);
        String token = Json.MAPPER.readTree(read.body()).get("access_token").asText();
        assertThat(token).hasSizeGreaterThan(12);

        String dump = ProductionPostgres.get().dump(bed.database);
        assertThat(dump).contains("api_keys").contains("credential_reads").contains(key.substring(0, 13))
                .contains(id);
        assertThat(dump).doesNotContain(key.substring(key.length() - 43)).doesNotContain(token);
    }

    private JsonNode create(String org) throws Exception {
        return create(org, "integrations:read");
    }

    private JsonNode create(String org, String scopes) throws Exception {
        return Json.MAPPER.readTree(cli.run("--json", "api-keys", "create", "--org", org, "--name", "app",
                "--scopes", scopes).ok().stdout());
    }

    private HttpResponse<String> get(WebhookServer host, String path, String key) throws Exception {
        return client.send(HttpRequest.newBuilder(host.uri(path)).header("Authorization", "Bearer " + key).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
