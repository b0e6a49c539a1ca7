package io.cmis.platform.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.cmis.platform.cli.Json;
import io.cmis.platform.config.LogSettings;
import io.cmis.platform.logging.Logging;
import io.cmis.platform.sandbox.Fault;
import io.cmis.platform.support.CliRun;
import io.cmis.platform.support.OAuthUser;
import io.cmis.platform.support.PlatformTestBed;
import io.cmis.platform.support.TestPostgres;
import io.cmis.platform.support.WebhookServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/** POST /api/v1/.../credentials and tokens get over real HTTP: fresh tokens, refusals, isolation and the audit. */
class CredentialsApiTest {
    private static final String GOOGLE_REFRESH = "/token";
    private final String orgA = UUID.randomUUID().toString();
    private final String orgB = UUID.randomUUID().toString();
    private final HttpClient client = HttpClient.newHttpClient();
    private PlatformTestBed bed;
    private WebhookServer server;
    private CliRun cli;

    @BeforeEach
    void start() {
        bed = new PlatformTestBed();
        server = new WebhookServer(bed);
        cli = bed.cli();
    }

    @AfterEach
    void stop() {
        server.close();
        bed.close();
    }

    @Test
    void a_token_expiring_within_refresh_before_is_refreshed_once_and_the_answer_carries_the_new_one() throws Exception {
        String google = OAuthUser.connect(cli, orgA, "google").get("id").asText();
        String key = key(orgA, "credentials:read");

        JsonNode first = json(credentials("integrations", google, key));
        assertThat(first.get("refreshed").asBoolean()).as("valid for the next hour: handed out as it is").isFalse();
        assertThat(first.get("token_type").asText()).isEqualTo("bearer");
        assertThat(first.get("platform").asText()).isEqualTo("google");
        assertThat(first.get("integration_id").asText()).isEqualTo(google);
        assertThat(first.get("channel_id").isNull()).isTrue();
        assertThat(first.get("scopes").size()).isPositive();
        assertThat(first.get("extra").size()).isZero();
        assertThat(bed.sandbox.google().requests(GOOGLE_REFRESH)).as("the code exchange only").isEqualTo(1);

        bed.clock.advance(Duration.ofMinutes(55)); // 3599 s tokens: under 10 minutes (tokens.refresh-before) left
        HttpResponse<String> due = credentials("integrations", google, key);
        JsonNode refreshed = json(due);
        assertThat(due.headers().firstValue("Cache-Control")).hasValue("no-store");
        assertThat(refreshed.get("refreshed").asBoolean()).isTrue();
        assertThat(refreshed.get("access_token").asText()).isNotEqualTo(first.get("access_token").asText());
        assertThat(refreshed.get("expires_at").asText()).isEqualTo(bed.clock.instant().plusSeconds(3599).toString());
        assertThat(bed.sandbox.google().requests(GOOGLE_REFRESH)).as("one refresh").isEqualTo(2);

        JsonNode again = json(credentials("integrations", google, key));
        assertThat(again.get("refreshed").asBoolean()).isFalse();
        assertThat(again.get("access_token").asText()).isEqualTo(refreshed.get("access_token").asText());
        assertThat(bed.sandbox.google().requests(GOOGLE_REFRESH)).as("no second refresh").isEqualTo(2);

        List<Map<String, Object>> reads = reads();
        assertThat(reads).hasSize(3);
        assertThat(reads).extracting(r -> r.get("refreshed")).containsExactly(false, true, false);
        assertThat(reads).allSatisfy(r -> {
            assertThat(r.get("outcome")).isEqualTo("served");
            assertThat(r.get("reader")).isEqualTo("api");
            assertThat(String.valueOf(r.get("api_key_id"))).isEqualTo(keyId(key));
            assertThat(String.valueOf(r.get("integration_id"))).isEqualTo(google);
            assertThat(r.get("channel_id")).isNull();
        });
    }

    @Test
    void another_orgs_integration_and_channel_are_404_exactly_like_unknown_ids_and_leave_no_trace() throws Exception {
        OAuthUser.connect(cli, orgB, "meta");
        cli.run("sync").ok();
        String integrationOfB = one("SELECT id FROM cmis_platform.integrations WHERE org_id = '" + orgB + "'");
        String channelOfB = one("SELECT id FROM cmis_platform.channels WHERE access_token_enc IS NOT NULL AND org_id = '"
                + orgB + "' LIMIT 1");
        String keyA = key(orgA, "credentials:read,integrations:read");
        String keyB = key(orgB, "credentials:read");
        String unknown = json(credentials("integrations", UUID.randomUUID().toString(), keyA)).toString();

        for (String[] target : List.of(new String[]{"integrations", integrationOfB}, new String[]{"channels", channelOfB},
                new String[]{"channels", UUID.randomUUID().toString()}, new String[]{"integrations", "not-an-id"})) {
            HttpResponse<String> foreign = credentials(target[0], target[1], keyA);
            assertThat(foreign.statusCode()).as(target[0]).isEqualTo(404);
            assertThat(foreign.body()).isEqualTo(unknown).doesNotContain(orgB).doesNotContain(target[1]);
        }
        assertThat(reads()).as("nothing recorded in either org").isEmpty();
        assertThat(credentials("channels", channelOfB, keyB).statusCode()).as("B reads its own").isEqualTo(200);
        assertThat(reads()).hasSize(1);

        String googleOfB = OAuthUser.connect(cli, orgB, "google").get("id").asText();
        bed.clock.advance(Duration.ofMinutes(55));
        HttpResponse<String> due = credentials("integrations", googleOfB, keyA);
        assertThat(due.statusCode()).isEqualTo(404);
        assertThat(due.body()).isEqualTo(unknown);
        assertThat(bed.sandbox.google().requests(GOOGLE_REFRESH)).as("A's key refreshes nothing of B's").isEqualTo(1);
        assertThat(reads()).hasSize(1);
    }

    @Test
    void a_key_without_credentials_read_is_403_and_reads_nothing() throws Exception {
        String google = OAuthUser.connect(cli, orgA, "google").get("id").asText();
        for (String scopes : List.of("integrations:read", "connect", "integrations:read,connect")) {
            HttpResponse<String> refused = credentials("integrations", google, key(orgA, scopes));
            assertThat(refused.statusCode()).as(scopes).isEqualTo(403);
            assertThat(json(refused).at("/error/code").asText()).isEqualTo("insufficient_scope");
            assertThat(refused.body()).doesNotContain("ya29.");
        }
        HttpResponse<String> get = send(HttpRequest.newBuilder(server.uri("/api/v1/integrations/" + google + "/credentials"))
                .header("Authorization", "Bearer " + key(orgA, "credentials:read")).GET());
        assertThat(get.statusCode()).as("a read is a POST: never cached, never prefetched").isEqualTo(405);
        assertThat(reads()).isEmpty();
    }

    @Test
    void needs_reauth_revoked_and_disabled_answer_409_with_the_reconnect_advice_and_are_recorded() throws Exception {
        String key = key(orgA, "credentials:read");
        for (String status : List.of("needs_reauth", "revoked", "disabled")) {
            String id = OAuthUser.connect(cli, orgA, "google").get("id").asText();
            TestPostgres.superuser(bed.database).useHandle(h -> h.createUpdate(
                    "UPDATE cmis_platform.integrations SET status = :s WHERE id = CAST(:id AS uuid)")
                    .bind("s", status).bind("id", id).execute());
            HttpResponse<String> refused = credentials("integrations", id, key);
            assertThat(refused.statusCode()).as(status).isEqualTo(409);
            JsonNode error = json(refused).get("error");
            assertThat(error.get("code").asText()).isEqualTo("reconnect_required");
            assertThat(error.get("message").asText()).contains("is " + status).contains(id)
                    .contains("Fix: cmis-platform connect start google --org " + orgA);
            assertThat(refused.body()).doesNotContain("ya29.");
            TestPostgres.superuser(bed.database).useHandle(h -> h.createUpdate(
                    "DELETE FROM cmis_platform.integrations WHERE id = CAST(:id AS uuid)").bind("id", id).execute());
        }
        assertThat(reads()).hasSize(3).allSatisfy(r -> {
            assertThat(r.get("outcome")).isEqualTo("needs_reauth");
            assertThat(r.get("refreshed")).isEqualTo(false);
        });
        assertThat(bed.sandbox.google().requests(GOOGLE_REFRESH)).as("no refresh of a dead grant").isEqualTo(3);
    }

    @Test
    void a_token_nothing_renews_is_handed_out_until_it_expires_then_409() throws Exception {
        String meta = OAuthUser.connect(cli, orgA, "meta").get("id").asText();
        String key = key(orgA, "credentials:read");
        bed.clock.advance(Duration.ofDays(59).plusHours(23).plusMinutes(55));
        JsonNode last = json(credentials("integrations", meta, key));
        assertThat(last.get("refreshed").asBoolean()).isFalse();
        assertThat(last.get("expires_at").asText()).isEqualTo(bed.clock.instant().plusSeconds(300).toString());

        bed.clock.advance(Duration.ofMinutes(6));
        HttpResponse<String> expired = credentials("integrations", meta, key);
        assertThat(expired.statusCode()).isEqualTo(409);
        assertThat(json(expired).at("/error/code").asText()).isEqualTo("reconnect_required");
        assertThat(json(expired).at("/error/message").asText()).contains("expired at");
        assertThat(expired.body()).doesNotContain(last.get("access_token").asText());
    }

    @Test
    void a_refresh_the_platform_refuses_marks_needs_reauth_and_answers_409() throws Exception {
        String google = OAuthUser.connect(cli, orgA, "google").get("id").asText();
        String key = key(orgA, "credentials:read");
        bed.clock.advance(Duration.ofMinutes(55));
        bed.sandbox.google().failNext(1, GOOGLE_REFRESH, Fault.REVOKED); // invalid_grant

        HttpResponse<String> refused = credentials("integrations", google, key);

        assertThat(refused.statusCode()).isEqualTo(409);
        assertThat(json(refused).at("/error/code").asText()).isEqualTo("reconnect_required");
        assertThat(status(google)).isEqualTo("needs_reauth");
        assertThat(reads()).singleElement().satisfies(r -> assertThat(r.get("outcome")).isEqualTo("needs_reauth"));
        assertThat(credentials("integrations", google, key).statusCode()).as("and stays refused").isEqualTo(409);
    }

    @Test
    void a_transient_refresh_failure_is_503_with_retry_after_and_leaves_the_integration_active() throws Exception {
        String google = OAuthUser.connect(cli, orgA, "google").get("id").asText();
        String key = key(orgA, "credentials:read");
        bed.clock.advance(Duration.ofMinutes(55));
        bed.sandbox.google().failNext(3, GOOGLE_REFRESH, Fault.TRANSIENT); // 503 on every attempt (http.max-attempts)

        HttpResponse<String> unavailable = credentials("integrations", google, key);

        assertThat(unavailable.statusCode()).isEqualTo(503);
        assertThat(json(unavailable).at("/error/code").asText()).isEqualTo("refresh_unavailable");
        assertThat(unavailable.headers().firstValue("Retry-After")).hasValue("30");
        assertThat(unavailable.body()).doesNotContain("ya29.");
        assertThat(status(google)).isEqualTo("active");
        assertThat(reads()).singleElement().satisfies(r -> assertThat(r.get("outcome")).isEqualTo("unavailable"));

        bed.sandbox.google().clearFaults();
        JsonNode served = json(credentials("integrations", google, key));
        assertThat(served.get("refreshed").asBoolean()).isTrue();
    }

    @Test
    void a_page_token_is_handed_out_for_its_channel_with_its_appsecret_proof_and_a_channel_without_one_is_409()
            throws Exception {
        OAuthUser.connect(cli, orgA, "meta");
        cli.run("sync").ok();
        String key = key(orgA, "credentials:read");
        String page = one("SELECT id FROM cmis_platform.channels WHERE type = 'facebook_page' AND org_id = '" + orgA
                + "' LIMIT 1");
        String instagram = one("SELECT id FROM cmis_platform.channels WHERE access_token_enc IS NULL AND org_id = '"
                + orgA + "' LIMIT 1");
        String integration = one("SELECT id FROM cmis_platform.integrations WHERE org_id = '" + orgA + "'");

        JsonNode user = json(credentials("integrations", integration, key));
        JsonNode pageToken = json(credentials("channels", page, key));

        String secret = bed.config.value("meta.client-secret");
        assertThat(user.get("extra").get("appsecret_proof").asText()).isEqualTo(hmac(secret, user.get("access_token").asText()));
        assertThat(pageToken.get("channel_id").asText()).isEqualTo(page);
        assertThat(pageToken.get("integration_id").asText()).isEqualTo(integration);
        assertThat(pageToken.get("access_token").asText()).isNotEqualTo(user.get("access_token").asText());
        assertThat(pageToken.get("extra").get("appsecret_proof").asText())
                .isEqualTo(hmac(secret, pageToken.get("access_token").asText()));
        assertThat(pageToken.get("expires_at").isNull()).isTrue();

        HttpResponse<String> none = credentials("channels", instagram, key);
        assertThat(none.statusCode()).isEqualTo(409);
        assertThat(json(none).at("/error/code").asText()).isEqualTo("no_channel_token");
        assertThat(reads()).hasSize(2);
        assertThat(reads().get(1).get("channel_id").toString()).isEqualTo(page);
    }

    @Test
    void x_answers_oauth1_with_the_token_secret_and_the_consumer_key_never_the_consumer_secret() throws Exception {
        String x = OAuthUser.connect(cli, orgA, "x").get("id").asText();
        JsonNode answer = json(credentials("integrations", x, key(orgA, "credentials:read")));
        assertThat(answer.get("token_type").asText()).isEqualTo("oauth1");
        assertThat(answer.get("extra").get("consumer_key").asText()).isEqualTo(bed.config.value("x.consumer-key"));
        assertThat(answer.get("extra").get("token_secret").asText()).isNotBlank();
        assertThat(answer.toString()).doesNotContain(bed.config.value("x.consumer-secret"));
        assertThat(answer.get("expires_at").isNull()).isTrue();
    }

    @Test
    void tokens_never_reach_the_log_or_the_audit_rows() throws Exception {
        String google = OAuthUser.connect(cli, orgA, "google").get("id").asText();
        String key = key(orgA, "credentials:read");
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        Logging.configure(new LogSettings("text", "trace"), true, new PrintStream(captured, true, StandardCharsets.UTF_8));
        List<String> tokens = new java.util.ArrayList<>();
        try {
            tokens.add(json(credentials("integrations", google, key)).get("access_token").asText());
            bed.clock.advance(Duration.ofMinutes(55));
            tokens.add(json(credentials("integrations", google, key)).get("access_token").asText());
            bed.sandbox.google().failNext(3, GOOGLE_REFRESH, Fault.TRANSIENT);
            bed.clock.advance(Duration.ofMinutes(55));
            credentials("integrations", google, key);
        } finally {
            Logging.configure(new LogSettings("text", "warn"), false, System.err);
        }
        String log = captured.toString(StandardCharsets.UTF_8);
        String dump = TestPostgres.superuser(bed.database).withHandle(h -> h.createQuery(
                "SELECT coalesce(string_agg(r::text, E'\\n'), '') FROM cmis_platform.credential_reads r")
                .mapTo(String.class).one());
        assertThat(dump.lines().count()).isEqualTo(3);
        for (String token : tokens) {
            assertThat(log).doesNotContain(token).doesNotContain(token.substring(5, 17));
            assertThat(dump).doesNotContain(token).doesNotContain(token.substring(5, 17));
        }
        assertThat(dump).doesNotContain(key.substring(key.length() - 43));
    }

    @Test
    void tokens_get_prints_the_same_document_on_stdout_only_and_is_recorded_as_a_cli_read() throws Exception {
        String google = OAuthUser.connect(cli, orgA, "google").get("id").asText();
        bed.clock.advance(Duration.ofMinutes(55));

        CliRun.Result got = cli.run("tokens", "get", google).ok();
        JsonNode document = Json.MAPPER.readTree(got.stdout());
        assertThat(document.get("refreshed").asBoolean()).isTrue();
        assertThat(got.stderr()).doesNotContain(document.get("access_token").asText()).doesNotContain("ya29.");
        JsonNode api = json(credentials("integrations", google, key(orgA, "credentials:read")));
        assertThat(api.get("access_token").asText()).isEqualTo(document.get("access_token").asText());
        List<String> fields = new java.util.ArrayList<>();
        document.fieldNames().forEachRemaining(fields::add);
        List<String> apiFields = new java.util.ArrayList<>();
        api.fieldNames().forEachRemaining(apiFields::add);
        assertThat(fields).isEqualTo(apiFields);
        assertThat(reads().get(0).get("reader")).isEqualTo("cli:" + System.getProperty("user.name"));
        assertThat(reads().get(0).get("api_key_id")).isNull();
        assertThat(reads().get(0).get("refreshed")).isEqualTo(true);

        CliRun.Result unknown = cli.run("tokens", "get", UUID.randomUUID().toString());
        assertThat(unknown.exitCode()).isEqualTo(2);
        assertThat(unknown.stderr().strip().lines()).hasSize(1);
        assertThat(unknown.stdout()).isEmpty();
        CliRun.Result noChannel = cli.run("tokens", "get", google, "--channel", UUID.randomUUID().toString());
        assertThat(noChannel.exitCode()).isEqualTo(2);
        assertThat(noChannel.stderr().strip().lines()).hasSize(1);

        cli.run("integrations", "disable", google).ok();
        CliRun.Result disabled = cli.run("tokens", "get", google);
        assertThat(disabled.exitCode()).isEqualTo(1);
        assertThat(disabled.stdout()).isEmpty();
        assertThat(disabled.stderr().strip().lines()).hasSize(1);
        assertThat(disabled.stderr()).contains("reconnect_required").doesNotContain("Exception");
        assertThat(reads()).hasSize(3);
        assertThat(reads().get(2).get("outcome")).isEqualTo("needs_reauth");
    }

    @Test
    void health_and_metrics_count_reads_and_refreshes_on_read_and_db_prune_keeps_them_for_the_retention() throws Exception {
        String google = OAuthUser.connect(cli, orgA, "google").get("id").asText();
        String key = key(orgA, "credentials:read");
        credentials("integrations", google, key);
        bed.clock.advance(Duration.ofMinutes(55));
        credentials("integrations", google, key);
        cli.run("integrations", "disable", google).ok();
        credentials("integrations", google, key);

        JsonNode health = Json.MAPPER.readTree(cli.run("--json", "health").stdout()).at("/components/credential_reads");
        assertThat(health.get("reads_last_hour").asInt()).isEqualTo(3);
        assertThat(health.get("served_last_hour").asInt()).isEqualTo(2);
        assertThat(health.get("needs_reauth_last_hour").asInt()).isEqualTo(1);
        assertThat(health.get("refreshes_on_read_last_hour").asInt()).isEqualTo(1);
        assertThat(health.get("health").asText()).isEqualTo("healthy");

        String metrics = server.get("/metrics").body();
        assertThat(metrics).contains("cmis_credential_reads_total{outcome=\"served\"} 2.0")
                .contains("cmis_credential_reads_total{outcome=\"needs_reauth\"} 1.0")
                .contains("cmis_credential_refreshes_on_read_total 1.0");

        bed.clock.advance(Duration.ofDays(90).minusHours(2));
        credentials("integrations", google, key);
        bed.clock.advance(Duration.ofHours(3));
        JsonNode pruned = Json.MAPPER.readTree(cli.run("--json", "db", "prune").ok().stdout());
        assertThat(pruned.toString()).contains("credential_reads");
        assertThat(reads()).as("older than credential-reads.retention (90d) gone, the newer one kept").hasSize(1);
    }

    private static String hmac(String key, String text) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(key.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        return HexFormat.of().formatHex(mac.doFinal(text.getBytes(StandardCharsets.UTF_8)));
    }

    private String status(String id) {
        return one("SELECT status FROM cmis_platform.integrations WHERE id = '" + id + "'");
    }

    private String one(String sql) {
        return TestPostgres.superuser(bed.database).withHandle(h -> h.createQuery(sql).mapTo(String.class).one());
    }

    private List<Map<String, Object>> reads() {
        return TestPostgres.superuser(bed.database).withHandle(h -> h.createQuery(
                "SELECT * FROM cmis_platform.credential_reads ORDER BY read_at, refreshed DESC").mapToMap().list());
    }

    private String key(String org, String scopes) throws Exception {
        return Json.MAPPER.readTree(cli.run("--json", "api-keys", "create", "--org", org, "--name", "test",
                "--scopes", scopes).ok().stdout()).get("key").asText();
    }

    private static String keyId(String key) {
        return key.substring(5, 37).replaceFirst("(.{8})(.{4})(.{4})(.{4})(.{12})", "$1-$2-$3-$4-$5");
    }

    private HttpResponse<String> credentials(String kind, String id, String key) throws Exception {
        return send(HttpRequest.newBuilder(server.uri("/api/v1/" + kind + "/" + id + "/credentials"))
                .header("Authorization", "Bearer " + key).POST(HttpRequest.BodyPublishers.noBody()));
    }

    private HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
        return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode json(HttpResponse<String> response) throws Exception {
        return Json.MAPPER.readTree(response.body());
    }
}
