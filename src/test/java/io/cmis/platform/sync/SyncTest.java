package io.cmis.platform.sync;

import com.fasterxml.jackson.databind.JsonNode;
import io.cmis.platform.cli.Json;
import io.cmis.platform.sandbox.Fault;
import io.cmis.platform.support.CliProcess;
import io.cmis.platform.support.CliRun;
import io.cmis.platform.support.OAuthUser;
import io.cmis.platform.support.SandboxCliTest;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/** sync, channels list and ad-accounts list through the real command line against the sandbox. */
class SyncTest extends SandboxCliTest {

    @Test
    void every_platform_syncs_all_pages_and_a_second_run_adds_nothing() throws Exception {
        bed.sandbox.meta().seed(250, 230);
        bed.sandbox.google().seed(7, 2);
        bed.sandbox.google().seedYouTube(120);
        bed.sandbox.tiktok().seed(230);
        connectAll();

        JsonNode first = sync();
        assertThat(first.get("succeeded").asInt()).as(first.toString()).isEqualTo(3);
        assertThat(channels("meta")).hasSize(375);
        assertThat(channels("google")).hasSize(120);
        assertThat(adAccounts("meta")).hasSize(230);
        assertThat(adAccounts("google")).hasSize(bed.sandbox.google().accountCount());
        assertThat(adAccounts("tiktok")).hasSize(230);

        JsonNode second = sync();
        assertThat(second.get("succeeded").asInt()).isEqualTo(3);
        assertThat(second.findValues("channels_added")).allSatisfy(n -> assertThat(n.asInt()).isZero());
        assertThat(second.findValues("ad_accounts_added")).allSatisfy(n -> assertThat(n.asInt()).isZero());
        assertThat(channels("meta")).hasSize(375);
        assertThat(adAccounts("tiktok")).hasSize(230);
    }

    @Test
    void items_the_platform_stops_returning_are_removed_and_come_back_when_they_reappear() throws Exception {
        OAuthUser.connect(cli, org, "meta");
        sync();
        bed.sandbox.meta().seed(2, 1);
        sync();

        assertThat(channels("meta")).filteredOn(c -> c.get("status").asText().equals("removed")).hasSize(2);
        assertThat(adAccounts("meta")).filteredOn(a -> a.get("status").asText().equals("removed")).hasSize(1);

        bed.sandbox.meta().seed(3, 2);
        sync();
        assertThat(channels("meta")).hasSize(5).allSatisfy(c -> assertThat(c.get("status").asText()).isEqualTo("active"));
        assertThat(adAccounts("meta")).hasSize(2).allSatisfy(a -> assertThat(a.get("status").asText()).isEqualTo("active"));
    }

    @Test
    void a_failed_discovery_removes_nothing() throws Exception {
        OAuthUser.connect(cli, org, "meta");
        sync();
        bed.sandbox.meta().failNext(3, "/v\\d+\\.0/me/adaccounts", Fault.TRANSIENT);

        CliRun.Result result = cli.run("--json", "sync");

        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(channels("meta")).hasSize(5).allSatisfy(c -> assertThat(c.get("status").asText()).isEqualTo("active"));
    }

    @Test
    void page_tokens_are_stored_encrypted_and_rows_stay_in_their_org() throws Exception {
        OAuthUser.connect(cli, org, "meta");
        sync();

        List<String> rows = bed.jdbi.withHandle(h -> h.createQuery(
                "SELECT row_to_json(c)::text FROM cmis_platform.channels c WHERE type = 'facebook_page'")
                .mapTo(String.class).list());
        assertThat(rows).hasSize(3).allSatisfy(r -> assertThat(r).contains("v2.k1.").doesNotContain("EAAP"));
        assertThat(cli.run("--json", "channels", "list", "--org", UUID.randomUUID().toString()).ok().stdout().strip())
                .isEqualTo("[ ]");
        assertThat(Json.MAPPER.readTree(cli.run("--json", "channels", "list", "--org", org).ok().stdout())).hasSize(5);
        assertThat(cli.run("channels", "list").ok().stdout()).contains("facebook_page").doesNotContain("EAAP");
        assertThat(cli.run("ad-accounts", "list").ok().stdout()).contains("act_1000000001");
    }

    @Test
    void a_rate_limited_integration_is_deferred_without_calls_and_the_others_go_on() throws Exception {
        OAuthUser.connect(cli, org, "meta");
        OAuthUser.connect(cli, org, "google");
        bed.sandbox.meta().failNext(1, "/v\\d+\\.0/me/accounts", Fault.RATE_LIMIT);

        JsonNode first = sync();
        assertThat(outcomes(first)).containsExactlyInAnyOrder("meta:deferred", "google:synced");
        assertThat(adAccounts("meta")).as("the call not limited went on").hasSize(2);
        int pageCalls = bed.sandbox.meta().requests("/v\\d+\\.0/me/accounts");

        JsonNode second = sync();
        assertThat(outcomes(second)).containsExactlyInAnyOrder("meta:deferred", "google:synced");
        assertThat(bed.sandbox.meta().requests("/v\\d+\\.0/me/accounts")).as("no call while limited")
                .isEqualTo(pageCalls);
    }

    @Test
    void an_open_breaker_skips_the_platform_and_the_next_run_makes_no_call_to_it() throws Exception {
        OAuthUser.connect(cli, org, "google");
        OAuthUser.connect(cli, UUID.randomUUID().toString(), "google");
        OAuthUser.connect(cli, org, "tiktok");
        bed.sandbox.google().failNext(6, "/youtube/v3/channels", Fault.TRANSIENT);
        JsonNode first = sync();
        assertThat(outcomes(first)).contains("tiktok:synced").doesNotContain("google:synced");
        int googleCalls = bed.sandbox.google().requests();

        JsonNode next = sync();

        assertThat(outcomes(next)).containsExactlyInAnyOrder("google:skipped", "google:skipped", "tiktok:synced");
        assertThat(next.toString()).contains("circuit breaker open until");
        assertThat(bed.sandbox.google().requests()).as("the open breaker, persisted, stops calls").isEqualTo(googleCalls);
    }

    @Test
    void a_revoked_grant_needs_reauth_and_the_others_sync() throws Exception {
        JsonNode meta = OAuthUser.connect(cli, org, "meta");
        OAuthUser.connect(cli, org, "tiktok");
        bed.sandbox.meta().revokeUser();

        CliRun.Result result = cli.run("--json", "sync");

        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(outcomes(Json.MAPPER.readTree(result.stdout())))
                .containsExactlyInAnyOrder("meta:needs_reauth", "tiktok:synced");
        assertThat(Json.MAPPER.readTree(cli.run("--json", "integrations", "show", meta.get("id").asText()).ok().stdout())
                .get("status").asText()).isEqualTo("needs_reauth");
    }

    @Test
    void a_refused_google_token_is_refreshed_once_and_the_sync_goes_on() throws Exception {
        JsonNode google = OAuthUser.connect(cli, org, "google");
        bed.sandbox.google().failNext(1, "/youtube/v3/channels", Fault.TOKEN_EXPIRED);

        JsonNode result = sync();

        assertThat(outcomes(result)).containsExactly("google:synced");
        assertThat(Json.MAPPER.readTree(cli.run("--json", "integrations", "show", google.get("id").asText()).ok()
                .stdout()).get("refresh_count").asInt()).isEqualTo(1);
    }

    @Test
    void two_overlapping_sync_processes_never_sync_the_same_integration_at_once() throws Exception {
        OAuthUser.connect(cli, org, "meta");
        bed.sandbox.meta().latency(Duration.ofMillis(2500)); // holds the lock ~5 s: both processes meet it
        CliProcess first = CliProcess.start(bed.processEnvironment(), "--json", "sync");
        CliProcess second = CliProcess.start(bed.processEnvironment(), "--json", "sync");
        List<String> all = new ArrayList<>();
        for (CliProcess run : List.of(first, second)) {
            String out = run.finish().stdout();
            all.addAll(outcomes(Json.MAPPER.readTree(out.substring(out.indexOf('{')))));
        }
        assertThat(all).containsExactlyInAnyOrder("meta:synced", "meta:skipped");
        assertThat(bed.sandbox.meta().requests("/v\\d+\\.0/me/accounts")).isEqualTo(1);
    }

    @Test
    void a_sync_never_has_more_integrations_calling_their_platform_than_its_concurrency() throws Exception {
        for (int i = 0; i < 6; i++) {
            OAuthUser.connect(cli, UUID.randomUUID().toString(), "tiktok");
        }
        bed.sandbox.tiktok().latency(Duration.ofMillis(300));

        JsonNode summary = Json.MAPPER.readTree(cli.env("CMIS_SYNC_CONCURRENCY", "2").run("--json", "sync").stdout());

        assertThat(summary.get("succeeded").asInt()).isEqualTo(6);
        assertThat(bed.sandbox.tiktok().mostInFlight()).as("platform calls at once").isEqualTo(2);
    }

    @Test
    void a_sync_whose_lease_another_sync_took_over_writes_nothing_and_leaves_that_lease_alone() throws Exception {
        OAuthUser.connect(cli, org, "meta");
        bed.sandbox.meta().latency(Duration.ofMillis(1500));
        CliProcess sync = CliProcess.start(bed.processEnvironment(), "--json", "sync");
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        int taken = 0;
        while (taken == 0 && System.nanoTime() < deadline) {
            // What a sync on another host does once a lease has run out (a stall longer than it).
            taken = bed.jdbi.withHandle(h -> h.createUpdate(
                    "UPDATE cmis_platform.sync_leases SET holder = 'another-host:1' WHERE holder <> 'another-host:1'")
                    .execute());
            Thread.sleep(10); // waiting for the child to hold its claim, not for time to pass
        }
        assertThat(taken).as("the sync claimed its integration").isEqualTo(1);

        String out = sync.finish().stdout();
        assertThat(outcomes(Json.MAPPER.readTree(out.substring(out.indexOf('{'))))).containsExactly("meta:skipped");
        assertThat(out).contains("its sync lease expired and another sync took it over");
        assertThat(channels("meta")).as("its discovery was not written").isEmpty();
        int written = bed.jdbi.withHandle(h -> h.createQuery("""
                SELECT (SELECT count(*) FROM cmis_platform.sync_runs)
                     + (SELECT count(*) FROM cmis_platform.integrations WHERE last_synced_at IS NOT NULL)""")
                .mapTo(Integer.class).one());
        assertThat(written).as("no run recorded, no last sync set").isZero();
        List<String> holders = bed.jdbi.withHandle(h -> h.createQuery("SELECT holder FROM cmis_platform.sync_leases")
                .mapTo(String.class).list());
        assertThat(holders).as("the other sync's lease is left to it").containsExactly("another-host:1");
    }

    @Test
    void only_and_bad_input() throws Exception {
        OAuthUser.connect(cli, org, "meta");
        assertThat(Json.MAPPER.readTree(cli.run("--json", "sync", "--only", "channels").ok().stdout())
                .get("succeeded").asInt()).isEqualTo(1);
        assertThat(adAccounts("meta")).isEmpty();
        assertThat(channels("meta")).hasSize(5);
        CliRun.Result bad = cli.run("sync", "--only", "campaigns");
        assertThat(bad.exitCode()).isEqualTo(2);
        assertThat(bad.stderr()).contains("--only takes channels and/or ad-accounts");
        assertThat(cli.run("sync").ok().stdout()).contains("1 synced, 0 failed");
    }

    @Test
    void on_a_terminal_a_progress_bar_shows_done_total_current_and_eta() throws Exception {
        OAuthUser.connect(cli, org, "meta");
        OAuthUser.connect(cli, org, "tiktok");
        bed.sandbox.meta().latency(Duration.ofMillis(300));
        bed.sandbox.tiktok().latency(Duration.ofMillis(300));

        CliProcess run = CliProcess.startOnTerminal(bed.processEnvironment(), "sync");
        CliRun.Result result = run.finish();

        assertThat(result.exitCode()).as(result.stdout()).isZero();
        String out = result.stdout();
        assertThat(out).containsPattern("\\[-{30}\\] 0/2  (meta|tiktok) [0-9a-f]{8}  ETA \\?");
        assertThat(out).containsPattern("\\[#{15}-{15}\\] 1/2  (meta|tiktok) [0-9a-f]{8}  ETA \\d+s");
        assertThat(out).contains("\r\033[K").contains("2 synced, 0 failed");
        assertThat(out).containsPattern("synced  meta  [0-9a-f-]{36}  5 channels");
    }

    @Test
    void off_a_terminal_there_is_no_progress_bar() throws Exception {
        OAuthUser.connect(cli, org, "meta");
        CliRun.Result result = CliProcess.start(bed.processEnvironment(), "sync").finish();
        assertThat(result.exitCode()).as(result.stdout()).isZero();
        assertThat(result.stdout()).doesNotContain("ETA").doesNotContain("\033[K")
                .containsPattern("(?m)^synced  meta  [0-9a-f-]{36}  5 channels");
    }

    private void connectAll() throws Exception {
        OAuthUser.connect(cli, org, "meta");
        OAuthUser.connect(cli, org, "google");
        OAuthUser.connect(cli, org, "tiktok");
    }

    private JsonNode sync() throws Exception {
        return Json.MAPPER.readTree(cli.run("--json", "sync").stdout());
    }

    private static List<String> outcomes(JsonNode summary) {
        List<String> out = new ArrayList<>();
        summary.get("items").forEach(i -> out.add(i.get("platform").asText() + ":" + i.get("outcome").asText()));
        return out;
    }

    private List<JsonNode> channels(String platform) throws Exception {
        List<JsonNode> out = new ArrayList<>();
        Json.MAPPER.readTree(cli.run("--json", "channels", "list", "--platform", platform).ok().stdout()).forEach(out::add);
        return out;
    }

    private List<JsonNode> adAccounts(String platform) throws Exception {
        List<JsonNode> out = new ArrayList<>();
        Json.MAPPER.readTree(cli.run("--json", "ad-accounts", "list", "--platform", platform).ok().stdout())
                .forEach(out::add);
        return out;
    }
}
