package io.cmis.platform.connect;

import com.fasterxml.jackson.databind.JsonNode;
import io.cmis.platform.cli.Json;
import io.cmis.platform.sandbox.GoogleSimulator;
import io.cmis.platform.sandbox.MetaSimulator;
import io.cmis.platform.sandbox.Sandbox;
import io.cmis.platform.sandbox.TikTokSimulator;
import io.cmis.platform.support.CliRun;
import io.cmis.platform.support.OAuthUser;
import io.cmis.platform.support.SandboxCliTest;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;

/** The whole connect flow through the real command line against the sandbox; the test plays the user. */
class ConnectFlowTest extends SandboxCliTest {

    @Test
    void meta_connects_with_the_long_lived_token_and_the_users_id() throws Exception {
        JsonNode integration = connect("meta");

        assertThat(integration.get("external_account_id").asText()).isEqualTo(MetaSimulator.USER_ID);
        assertThat(integration.get("account_name").asText()).isEqualTo("Sandbox User");
        assertThat(integration.get("token_expires_at").asText()).isEqualTo(bed.clock.instant().plus(Duration.ofDays(60)).toString());
        assertThat(integration.get("has_refresh_token").asBoolean()).isFalse();
    }

    @Test
    void google_connects_with_pkce_and_a_refresh_token() throws Exception {
        JsonNode integration = connect("google");

        assertThat(integration.get("external_account_id").asText()).isEqualTo(GoogleSimulator.SUBJECT);
        assertThat(integration.get("has_refresh_token").asBoolean()).isTrue();
        assertThat(integration.get("token_expires_at").asText()).isEqualTo(bed.clock.instant().plusSeconds(3599).toString());
    }

    @Test
    void tiktok_advertisers_connect_with_a_long_term_token_and_account_holders_with_a_rotating_one() throws Exception {
        JsonNode advertiser = connect("tiktok");
        assertThat(advertiser.get("external_account_id").asText()).isEqualTo("7000000000000000001");
        assertThat(advertiser.get("token_expires_at").isNull()).isTrue();
        assertThat(advertiser.get("token_kind").asText()).isEqualTo("advertiser");

        JsonNode holder = connect("tiktok", "--kind", "tt_user");
        assertThat(holder.get("external_account_id").asText()).isEqualTo(TikTokSimulator.OPEN_ID);
        assertThat(holder.get("token_kind").asText()).isEqualTo("tt_user");
        assertThat(holder.get("has_refresh_token").asBoolean()).isTrue();
    }

    @Test
    void a_state_is_single_use_and_a_reconnect_updates_the_same_integration() throws Exception {
        Flow flow = begin("meta");
        JsonNode first = Json.MAPPER.readTree(cli.run("--json", "connect", "complete", "--state", flow.state,
                "--code", flow.code).ok().stdout());

        assertUsage(cli.run("connect", "complete", "--state", flow.state, "--code", flow.code), "already used");

        UUID id = UUID.fromString(first.get("id").asText());
        bed.jdbi.useHandle(h -> h.execute("INSERT INTO cmis_platform.notifications (id, org_id, kind, dedupe_key, message) "
                + "VALUES (?, ?, 'needs_reauth', ?, 'reconnect meta')", UUID.randomUUID(), UUID.fromString(org),
                "needs_reauth:" + id));
        bed.jdbi.useHandle(h -> h.execute("UPDATE cmis_platform.integrations SET status = 'needs_reauth'"));

        JsonNode again = connect("meta");
        assertThat(again.get("id").asText()).isEqualTo(first.get("id").asText());
        assertThat(again.get("status").asText()).isEqualTo("active");
        Integer alerts = bed.jdbi.withHandle(h -> h.createQuery("SELECT count(*) FROM cmis_platform.notifications")
                .mapTo(Integer.class).one());
        assertThat(alerts).as("the re-auth alert is answered").isZero();
        assertThat(again.get("created").asBoolean()).isFalse();
        assertThat(count()).isEqualTo(1);
    }

    @Test
    void an_expired_unknown_or_foreign_state_stores_nothing() throws Exception {
        Flow flow = begin("google");
        assertUsage(cli.run("connect", "complete", "--state", "made-up-state", "--code", flow.code), "unknown state");
        assertUsage(cli.run("connect", "complete", "--state", flow.state, "--code", ""), "must not be empty");
        assertUsage(cli.run("connect", "complete", "--state", flow.state, "--code", flow.code,
                "--org", UUID.randomUUID().toString()), "another organization");

        bed.clock.advance(Duration.ofMinutes(16));
        assertUsage(cli.run("connect", "complete", "--state", flow.state, "--code", flow.code), "expired");
        assertThat(count()).isZero();
    }

    @Test
    void a_redirect_uri_must_be_one_of_the_allowed_ones_exactly() {
        assertUsage(cli.run("connect", "start", "meta", "--org", org, "--redirect-uri",
                Sandbox.CALLBACK_BASE + "meta/"), "not in meta.redirect-uris");
        assertUsage(cli.env("CMIS_META_REDIRECT_URIS", "").run("connect", "start", "meta", "--org", org),
                "set meta.redirect-uris");
    }

    @Test
    void the_user_declining_is_reported_and_ends_the_flow() throws Exception {
        Flow flow = begin("meta");

        assertUsage(cli.run("connect", "complete", "--state", flow.state, "--error", "access_denied",
                "--error-description", "Permissions error"), "did not authorize the connection: access_denied");
        assertUsage(cli.run("connect", "complete", "--state", flow.state, "--code", flow.code), "already used");
        assertThat(count()).isZero();
    }

    @Test
    void a_code_made_for_another_pkce_challenge_is_refused_by_the_platform() throws Exception {
        Flow flow = begin("google");
        String foreignCode = bed.sandbox.google().issueCode(Sandbox.CALLBACK_BASE + "google", "some-other-challenge");

        CliRun.Result result = cli.run("connect", "complete", "--state", flow.state, "--code", foreignCode);

        assertThat(result.exitCode()).as(result.toString()).isEqualTo(1);
        assertThat(result.stderr()).contains("invalid_grant").doesNotContain(foreignCode);
        assertThat(count()).isZero();
    }

    @Test
    void two_completions_of_one_state_at_once_make_exactly_one_integration() throws Exception {
        Flow flow = begin("meta");
        ExecutorService pool = Executors.newFixedThreadPool(2);
        CountDownLatch go = new CountDownLatch(1);
        try {
            List<Future<CliRun.Result>> runs = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                runs.add(pool.submit(() -> {
                    go.await();
                    return cli.run("connect", "complete", "--state", flow.state, "--code", flow.code);
                }));
            }
            go.countDown();
            List<Integer> codes = new ArrayList<>();
            for (Future<CliRun.Result> run : runs) {
                codes.add(run.get().exitCode());
            }
            assertThat(codes).containsExactlyInAnyOrder(0, 2);
        } finally {
            pool.shutdownNow();
        }
        assertThat(count()).isEqualTo(1);
    }

    @Test
    void an_imported_token_without_an_account_id_is_identified_by_the_platform() throws Exception {
        String token = bed.sandbox.meta().issueLongLivedToken();

        JsonNode added = Json.MAPPER.readTree(cli.run("--json", "integrations", "add", "meta", "--org", org,
                "--access-token", token, "--expires-in", "5184000").ok().stdout());

        assertThat(added.get("external_account_id").asText()).isEqualTo(MetaSimulator.USER_ID);
        assertThat(added.get("account_name").asText()).isEqualTo("Sandbox User");
        CliRun.Result revoked = cli.run("integrations", "add", "tiktok", "--org", org, "--access-token", "not-a-token");
        assertThat(revoked.exitCode()).as("a token the platform refuses is bad input").isEqualTo(2);
        assertThat(revoked.stderr()).contains("40105").contains("refused the access token");
    }

    private JsonNode connect(String platform, String... extra) throws Exception {
        Flow flow = begin(platform, extra);
        assertThat(flow.state).as("never read as an option on the command line").doesNotStartWith("-").startsWith("s");
        CliRun.Result done = cli.run("--json", "connect", "complete", "--state", flow.state, "--code", flow.code).ok();
        assertThat(done.all()).doesNotContain(flow.code);
        JsonNode integration = Json.MAPPER.readTree(done.stdout());
        assertThat(integration.get("status").asText()).isEqualTo("active");
        assertThat(integration.get("org_id").asText()).isEqualTo(org);
        String row = bed.jdbi.withHandle(h -> h.createQuery(
                "SELECT row_to_json(i)::text FROM cmis_platform.integrations i WHERE id = :id")
                .bind("id", UUID.fromString(integration.get("id").asText())).mapTo(String.class).one());
        assertThat(row).contains("v2.k1.").doesNotContain("EAAL").doesNotContain("ya29.").doesNotContain("act.");
        return integration;
    }

    private record Flow(String state, String code) {
    }

    /** connect start, then what the user's browser does: open the URL, land on the redirect with the code. */
    private Flow begin(String platform, String... extra) throws Exception {
        OAuthUser.Flow flow = OAuthUser.begin(cli, org, platform, extra);
        assertThat(flow.state()).as("at least 128 bits, URL-safe").hasSizeGreaterThanOrEqualTo(22)
                .matches("[A-Za-z0-9_-]+");
        return new Flow(flow.state(), flow.code());
    }

    private long count() {
        return bed.jdbi.withHandle(h -> h.createQuery("SELECT count(*) FROM cmis_platform.integrations")
                .mapTo(Long.class).one());
    }

    private static void assertUsage(CliRun.Result result, String text) {
        assertThat(result.exitCode()).as(result.toString()).isEqualTo(2);
        assertThat(result.stderr()).as(result.toString()).contains(text).doesNotContain("\tat ");
    }
}
