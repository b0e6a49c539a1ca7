package io.cmis.platform.connect;

import com.fasterxml.jackson.databind.JsonNode;
import io.cmis.platform.cli.Json;
import io.cmis.platform.sandbox.XSimulator;
import io.cmis.platform.support.Browser;
import io.cmis.platform.support.CliRun;
import io.cmis.platform.support.OAuthUser;
import io.cmis.platform.support.SandboxCliTest;
import io.cmis.platform.support.WebhookServer;
import org.junit.jupiter.api.Test;

import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/** X's three OAuth 1.0a legs through the real command line and through serve's callback. */
class XConnectFlowTest extends SandboxCliTest {

    @Test
    void connect_complete_runs_the_three_legs_and_stores_the_token_and_its_secret_encrypted() throws Exception {
        OAuthUser.Flow flow = OAuthUser.begin(cli, org, "x");
        CliRun.Result done = cli.run("--json", "connect", "complete", "--state", flow.state(), "--code", flow.code())
                .ok();
        JsonNode integration = Json.MAPPER.readTree(done.stdout());

        assertThat(integration.get("external_account_id").asText()).isEqualTo(XSimulator.USER_ID);
        assertThat(integration.get("account_name").asText()).isEqualTo(XSimulator.SCREEN_NAME);
        assertThat(integration.get("token_expires_at").isNull()).isTrue();
        assertThat(done.all()).doesNotContain(flow.code()).doesNotContain(XSimulator.USER_ID + "-");
        String row = bed.jdbi.withHandle(h -> h.createQuery("""
                SELECT row_to_json(i)::text FROM cmis_platform.integrations i""").mapTo(String.class).one());
        assertThat(row).contains("\"token_secret_enc\":\"v2.k1.").doesNotContain(XSimulator.USER_ID + "-");
        String states = bed.jdbi.withHandle(h -> h.createQuery("""
                SELECT coalesce(string_agg(row_to_json(s)::text, ''), '') FROM cmis_platform.oauth_states s""")
                .mapTo(String.class).one());
        assertThat(states).contains("\"request_token_secret_enc\":\"v2.k1.").doesNotContain(flow.state());

        JsonNode status = Json.MAPPER.readTree(cli.run("--json", "tokens", "status").ok().stdout());
        assertThat(status.findValuesAsText("refresh")).containsExactly("never_expires");
    }

    @Test
    void connect_complete_stores_the_x_account_channel_named_by_the_screen_name_and_a_sync_keeps_the_name()
            throws Exception {
        OAuthUser.Flow flow = OAuthUser.begin(cli, org, "x");
        cli.run("--json", "connect", "complete", "--state", flow.state(), "--code", flow.code()).ok();

        assertThat(channels()).singleElement().satisfies(c -> {
            assertThat(c.get("type").asText()).isEqualTo("x_account");
            assertThat(c.get("external_id").asText()).isEqualTo(XSimulator.USER_ID);
            assertThat(c.get("name").asText()).isEqualTo(XSimulator.SCREEN_NAME);
            assertThat(c.get("status").asText()).isEqualTo("active");
        });

        JsonNode sync = Json.MAPPER.readTree(cli.run("--json", "sync").stdout());
        assertThat(sync.get("succeeded").asInt()).as(sync.toString()).isEqualTo(1);
        assertThat(channels()).singleElement().satisfies(c -> {
            assertThat(c.get("name").asText()).isEqualTo(XSimulator.SCREEN_NAME);
            assertThat(c.get("last_synced_at").isNull()).isFalse();
        });
    }

    @Test
    void a_sync_names_an_x_channel_an_older_version_stored_unnamed() throws Exception {
        OAuthUser.connect(cli, org, "x");
        bed.jdbi.useHandle(h -> h.execute("UPDATE cmis_platform.channels SET name = NULL"));

        cli.run("--json", "sync").ok();

        assertThat(channels()).singleElement()
                .satisfies(c -> assertThat(c.get("name").asText()).isEqualTo(XSimulator.SCREEN_NAME));
    }

    @Test
    void a_used_unknown_or_wrongly_verified_request_token_is_refused_and_nothing_is_stored() throws Exception {
        OAuthUser.Flow flow = OAuthUser.begin(cli, org, "x");
        assertRefused(cli.run("connect", "complete", "--state", "rt-made-up", "--code", flow.code()), 2,
                "unknown state");
        assertRefused(cli.run("connect", "complete", "--state", flow.state(), "--code", "wrong-verifier"), 1,
                "X refused the connection");
        assertThat(count()).isZero();
        assertRefused(cli.run("connect", "complete", "--state", flow.state(), "--code", flow.code()), 2,
                "already used");
        assertThat(count()).isZero();
    }

    @Test
    void serves_callback_completes_the_flow_once_in_the_browser_that_started_it() throws Exception {
        try (WebhookServer server = new WebhookServer(bed)) {
            Browser user = new Browser();
            Browser.Landing landing = user.begin(cli, server, org, "x");

            HttpResponse<String> page = user.get(landing.callback());
            assertThat(page.statusCode()).isEqualTo(200);
            assertThat(page.body()).contains("Connected").contains(XSimulator.SCREEN_NAME)
                    .doesNotContain(landing.code());
            assertThat(count()).isEqualTo(1);
            assertThat(channels()).singleElement().satisfies(c -> {
                assertThat(c.get("type").asText()).isEqualTo("x_account");
                assertThat(c.get("name").asText()).isEqualTo(XSimulator.SCREEN_NAME);
            });

            HttpResponse<String> reused = user.get(landing.callback());
            assertThat(reused.statusCode()).isEqualTo(400);
            assertThat(reused.body()).contains("already used");
        }
    }

    @Test
    void an_authorize_url_with_the_request_token_sent_to_another_browser_connects_nothing() throws Exception {
        try (WebhookServer server = new WebhookServer(bed)) {
            HttpResponse<String> started = new Browser().open(server, Browser.startLink(cli, org, "x"));
            java.net.URI authorize = java.net.URI.create(started.headers().firstValue("location").orElseThrow());
            assertThat(authorize.getQuery()).contains("oauth_token=");

            Browser victim = new Browser();
            Browser.Landing landing = victim.consent(server, authorize, "");
            HttpResponse<String> refused = victim.get(landing.callback());

            assertThat(refused.statusCode()).isEqualTo(403);
            assertThat(refused.body()).contains("started in another browser");
            assertThat(count()).isZero();
            assertRefused(cli.run("connect", "complete", "--state", landing.state(), "--code", landing.code()), 2,
                    "started for a browser");
            assertThat(count()).isZero();
        }
    }

    @Test
    void a_request_token_from_connect_start_is_not_completed_by_serves_callback() throws Exception {
        try (WebhookServer server = new WebhookServer(bed)) {
            OAuthUser.Flow flow = OAuthUser.begin(cli, org, "x");
            HttpResponse<String> page = server.get("/oauth/callback/x?oauth_token=" + enc(flow.state())
                    + "&oauth_verifier=" + enc(flow.code()));
            assertThat(page.statusCode()).isEqualTo(403);
            assertThat(count()).isZero();
        }
    }

    @Test
    void a_user_who_denies_the_app_ends_the_flow_with_nothing_stored() throws Exception {
        try (WebhookServer server = new WebhookServer(bed)) {
            bed.sandbox.x().denyAuthorization(true);
            Browser user = new Browser();
            Browser.Landing landing = user.begin(cli, server, org, "x");

            HttpResponse<String> page = user.get(landing.callback());

            assertThat(landing.callback().getQuery()).contains("denied=");
            assertThat(page.statusCode()).isEqualTo(400);
            assertThat(page.body()).contains("did not authorize");
            assertThat(count()).isZero();
        }
    }

    @Test
    void no_token_secret_or_verifier_shows_in_output_logs_or_the_database() throws Exception {
        java.nio.file.Path dataDir = java.nio.file.Files.createTempDirectory("cmis-x-leak");
        CliRun verbose = cli.env("CMIS_DATA_DIR", dataDir.toString());
        StringBuilder seen = new StringBuilder();
        OAuthUser.Flow flow = OAuthUser.begin(verbose, org, "x");
        seen.append(verbose.run("--verbose", "--json", "connect", "complete", "--state", flow.state(), "--code",
                flow.code()).all());
        seen.append(verbose.run("--verbose", "--json", "sync").all());
        bed.sandbox.x().failNext(1, "/12/accounts", io.cmis.platform.sandbox.Fault.REVOKED);
        seen.append(verbose.run("--verbose", "--json", "sync").all());
        seen.append(verbose.run("--verbose", "--json", "integrations", "list").all());
        try (var files = java.nio.file.Files.walk(dataDir)) {
            for (java.nio.file.Path file : files.filter(java.nio.file.Files::isRegularFile).toList()) {
                seen.append(java.nio.file.Files.readString(file));
            }
        }
        String database = bed.jdbi.withHandle(h -> {
            List<String> tables = h.createQuery("""
                    SELECT table_name FROM information_schema.tables
                     WHERE table_schema = 'cmis_platform' AND table_type = 'BASE TABLE'""").mapTo(String.class).list();
            StringBuilder rows = new StringBuilder();
            for (String table : tables) {
                rows.append(h.createQuery("SELECT coalesce(string_agg(row_to_json(t)::text, ''), '') FROM "
                        + "cmis_platform.\"" + table + "\" t").mapTo(String.class).one());
            }
            return rows.toString();
        });
        seen.append(database);

        assertThat(bed.sandbox.x().issuedSecrets()).hasSizeGreaterThanOrEqualTo(4)
                .allSatisfy(secret -> assertThat(seen.toString()).doesNotContain(secret));
    }

    private List<JsonNode> channels() throws Exception {
        List<JsonNode> out = new java.util.ArrayList<>();
        Json.MAPPER.readTree(cli.run("--json", "channels", "list", "--platform", "x").ok().stdout()).forEach(out::add);
        return out;
    }

    private long count() {
        return bed.jdbi.withHandle(h -> h.createQuery("SELECT count(*) FROM cmis_platform.integrations")
                .mapTo(Long.class).one());
    }

    private static void assertRefused(CliRun.Result result, int exitCode, String text) {
        assertThat(result.exitCode()).as(result.toString()).isEqualTo(exitCode);
        assertThat(result.stderr()).as(result.toString()).contains(text).doesNotContain("\tat ");
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
