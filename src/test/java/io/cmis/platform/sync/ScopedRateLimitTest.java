package io.cmis.platform.sync;

import com.fasterxml.jackson.databind.JsonNode;
import io.cmis.platform.cli.Json;
import io.cmis.platform.sandbox.Fault;
import io.cmis.platform.support.CliRun;
import io.cmis.platform.support.OAuthUser;
import io.cmis.platform.support.SandboxCliTest;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A platform's limit holds back the narrowest scope its answer names, through real HTTP to the
 * sandbox: one org's throttled ad account never stops another org, nor the same org's pages.
 */
class ScopedRateLimitTest extends SandboxCliTest {
    private final String orgB = UUID.randomUUID().toString();

    @Test
    void a_meta_ad_account_throttle_holds_back_that_ad_account_only() throws Exception {
        add("meta", org, bed.sandbox.meta().issueLongLivedToken());
        add("meta", orgB, bed.sandbox.meta().addUser("1020304050"));
        bed.sandbox.meta().throttleAdAccount("act_1000000001", Duration.ofMinutes(7));

        CliRun.Result first = cli.run("--json", "sync");
        assertThat(first.exitCode()).as("deferred is not done").isEqualTo(1);
        JsonNode a = item(first, org);
        assertThat(a.get("outcome").asText()).isEqualTo("deferred");
        assertThat(a.get("limited_scope").asText()).isEqualTo("ad_account:act_1000000001");
        assertThat(Instant.parse(a.get("limited_until").asText())).isEqualTo(bed.clock.instant().plus(Duration.ofMinutes(7)));
        assertThat(item(first, orgB).get("outcome").asText()).isEqualTo("synced");
        assertThat(externalIds("ad-accounts", orgB)).containsExactlyInAnyOrder("act_2000000001", "act_2000000002");
        assertThat(externalIds("channels", org)).as("org A's pages synced").hasSize(5);
        assertThat(externalIds("ad-accounts", org)).as("org A's ad accounts wait").isEmpty();
        int adAccountCalls = calls("/v\\d+\\.0/me/adaccounts");
        int pageCalls = calls("/v\\d+\\.0/me/accounts");

        bed.clock.advance(Duration.ofMinutes(3));
        CliRun.Result second = cli.run("--json", "sync");
        assertThat(item(second, org).get("outcome").asText()).isEqualTo("deferred");
        assertThat(item(second, orgB).get("outcome").asText()).isEqualTo("synced");
        assertThat(calls("/v\\d+\\.0/me/adaccounts")).as("only org B's ad accounts were called")
                .isEqualTo(adAccountCalls + 1);
        assertThat(calls("/v\\d+\\.0/me/accounts")).as("both orgs' pages were called").isEqualTo(pageCalls + 2);

        JsonNode health = Json.MAPPER.readTree(cli.run("--json", "health").stdout());
        assertThat(health.at("/components/rate_limits/meta/limited").toString())
                .contains("ad_account:act_1000000001").doesNotContain("act_2000000001").doesNotContain("\"app\"");
        assertThat(health.at("/components/rate_limits/meta/health").asText()).isEqualTo("warning");

        bed.clock.advance(Duration.ofMinutes(5));
        CliRun.Result after = cli.run("--json", "sync");
        assertThat(after.exitCode()).as(after.stdout()).isZero();
        assertThat(externalIds("ad-accounts", org)).containsExactlyInAnyOrder("act_1000000001", "act_1000000002");
    }

    @Test
    void a_tiktok_endpoint_throttle_holds_back_that_endpoint_for_a_second_then_longer_while_it_repeats()
            throws Exception {
        add("tiktok", org, bed.sandbox.tiktok().issueAdvertiserToken());
        OAuthUser.connect(cli, orgB, "tiktok", "--kind", "tt_user");
        bed.sandbox.tiktok().failNext(1, ".*/advertiser/info/", Fault.RATE_LIMIT);

        CliRun.Result first = cli.run("--json", "sync");
        assertThat(first.exitCode()).isEqualTo(1);
        JsonNode a = item(first, org);
        assertThat(a.get("outcome").asText()).isEqualTo("deferred");
        assertThat(a.get("limited_scope").asText()).isEqualTo("endpoint:/open_api/v1.3/advertiser/info/");
        assertThat(Instant.parse(a.get("limited_until").asText())).isEqualTo(bed.clock.instant().plusSeconds(1));
        assertThat(item(first, orgB).get("outcome").asText()).as("another endpoint goes on").isEqualTo("synced");

        int infoCalls = calls(".*/advertiser/info/");
        assertThat(item(cli.run("--json", "sync"), org).get("outcome").asText()).isEqualTo("deferred");
        assertThat(calls(".*/advertiser/info/")).as("not called while limited").isEqualTo(infoCalls);

        bed.clock.advance(Duration.ofMillis(1100));
        bed.sandbox.tiktok().failNext(1, ".*/advertiser/info/", Fault.RATE_LIMIT);
        JsonNode again = item(cli.run("--json", "sync"), org);
        assertThat(Instant.parse(again.get("limited_until").asText()))
                .as("repeating within the minute: twice as long").isEqualTo(bed.clock.instant().plusSeconds(2));

        bed.clock.advance(Duration.ofSeconds(3));
        assertThat(cli.run("--json", "sync").exitCode()).isZero();
        assertThat(externalIds("ad-accounts", org)).isNotEmpty();
    }

    @Test
    void a_google_customer_throttle_holds_back_that_customer_only() throws Exception {
        OAuthUser.connect(cli, org, "google");
        String[] other = bed.sandbox.google().addUser("other-google-user", "6000000001");
        cli.run("integrations", "add", "google", "--org", orgB, "--access-token", other[0], "--refresh-token", other[1],
                "--expires-in", "3600", "--external-id", "other-google-user").ok();
        bed.sandbox.google().exhaustCustomer("5000000001", Duration.ofSeconds(30));

        CliRun.Result first = cli.run("--json", "sync");
        assertThat(first.exitCode()).isEqualTo(1);
        JsonNode a = item(first, org);
        assertThat(a.get("outcome").asText()).isEqualTo("deferred");
        assertThat(a.get("limited_scope").asText()).isEqualTo("customer:5000000001");
        assertThat(Instant.parse(a.get("limited_until").asText())).isEqualTo(bed.clock.instant().plusSeconds(30));
        assertThat(a.get("counts").get("channels_seen").asInt()).as("org A's YouTube channels synced").isPositive();
        assertThat(item(first, orgB).get("outcome").asText()).isEqualTo("synced");
        assertThat(externalIds("ad-accounts", orgB)).containsExactly("6000000001");

        int searches = calls(".*/customers/5000000001/googleAds:search");
        assertThat(item(cli.run("--json", "sync"), orgB).get("outcome").asText()).isEqualTo("synced");
        assertThat(calls(".*/customers/5000000001/googleAds:search")).as("not called while limited").isEqualTo(searches);
        JsonNode health = Json.MAPPER.readTree(cli.run("--json", "health").stdout());
        assertThat(health.at("/components/rate_limits/google/limited").toString()).contains("customer:5000000001");

        bed.clock.advance(Duration.ofSeconds(31));
        assertThat(cli.run("--json", "sync").exitCode()).isZero();
        assertThat(externalIds("ad-accounts", org)).contains("5000000001");
    }

    @Test
    void a_google_customers_own_quota_holds_back_that_customer_only_and_the_others_of_the_same_user_sync()
            throws Exception {
        bed.sandbox.google().seed(2, 2);
        OAuthUser.connect(cli, org, "google");
        cli.run("--json", "sync");
        List<String> before = externalIds("ad-accounts", org);
        assertThat(before).contains("3333333333", "4000000001", "4000000002", "5000000002");

        bed.sandbox.google().exhaustCustomer("3333333333", Duration.ofSeconds(30));
        int searches = calls(".*/customers/5000000002/googleAds:search");
        JsonNode a = item(cli.run("--json", "sync"), org);

        assertThat(a.get("outcome").asText()).isEqualTo("deferred");
        assertThat(a.get("limited_scope").asText()).isEqualTo("customer:3333333333");
        assertThat(calls(".*/customers/5000000002/googleAds:search")).as("the user's next customer read in that run")
                .isGreaterThan(searches);
        assertThat(a.get("counts").get("ad_accounts_removed").asInt()).isZero();
        assertThat(externalIds("ad-accounts", org)).as("the limited customer and its clients kept")
                .containsExactlyInAnyOrderElementsOf(before);
        Json.MAPPER.readTree(cli.run("--json", "ad-accounts", "list", "--org", org).ok().stdout())
                .forEach(n -> assertThat(n.get("removed_at").isNull()).as(n.toString()).isTrue());

        bed.clock.advance(Duration.ofSeconds(31));
        assertThat(item(cli.run("--json", "sync"), org).get("outcome").asText()).isEqualTo("synced");
    }

    @Test
    void a_tiktok_advertisers_own_limit_holds_back_its_batch_only_and_the_next_batch_syncs() throws Exception {
        bed.sandbox.tiktok().seed(101);
        add("tiktok", org, bed.sandbox.tiktok().issueAdvertiserToken());
        cli.run("--json", "sync");
        assertThat(externalIds("ad-accounts", org)).hasSize(101);

        bed.sandbox.tiktok().throttleAdvertiser(io.cmis.platform.sandbox.TikTokSimulator.advertiser(1));
        int infos = calls(".*/advertiser/info/");
        JsonNode a = item(cli.run("--json", "sync"), org);

        assertThat(a.get("outcome").asText()).isEqualTo("deferred");
        assertThat(a.get("limited_scope").asText()).startsWith("advertiser:");
        assertThat(calls(".*/advertiser/info/") - infos).as("both batches asked in that run").isEqualTo(2);
        assertThat(a.get("counts").get("ad_accounts_removed").asInt()).isZero();
        Json.MAPPER.readTree(cli.run("--json", "ad-accounts", "list", "--org", org).ok().stdout())
                .forEach(n -> assertThat(n.get("removed_at").isNull()).as(n.toString()).isTrue());

        bed.clock.advance(Duration.ofSeconds(61));
        assertThat(item(cli.run("--json", "sync"), org).get("outcome").asText()).isEqualTo("synced");
    }

    private void add(String platform, String orgId, String token) {
        cli.run("integrations", "add", platform, "--org", orgId, "--access-token", token).ok();
    }

    private int calls(String path) {
        return platformOf(path).requests(path);
    }

    private io.cmis.platform.sandbox.Simulator platformOf(String path) {
        if (path.contains("advertiser")) {
            return bed.sandbox.tiktok();
        }
        return path.contains("googleAds") ? bed.sandbox.google() : bed.sandbox.meta();
    }

    private static JsonNode item(CliRun.Result result, String orgId) throws Exception {
        for (JsonNode item : Json.MAPPER.readTree(result.stdout()).get("items")) {
            if (item.get("org_id").asText().equals(orgId)) {
                return item;
            }
        }
        throw new AssertionError("no item of org " + orgId + " in " + result);
    }

    private List<String> externalIds(String what, String orgId) throws Exception {
        List<String> ids = new ArrayList<>();
        Json.MAPPER.readTree(cli.run("--json", what, "list", "--org", orgId).ok().stdout())
                .forEach(n -> ids.add(n.get("external_id").asText()));
        return ids;
    }
}
