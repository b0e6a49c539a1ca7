package io.cmis.platform.sync;

import com.fasterxml.jackson.databind.JsonNode;
import io.cmis.platform.cli.Json;
import io.cmis.platform.sandbox.Fault;
import io.cmis.platform.sandbox.XSimulator;
import io.cmis.platform.support.CliRun;
import io.cmis.platform.support.OAuthUser;
import io.cmis.platform.support.SandboxCliTest;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** X through the real command line: connect, sync, a revoked token, and a sweep that leaves X alone. */
class XSyncTest extends SandboxCliTest {
    private static final String ACCOUNTS = "/12/accounts";

    private XSimulator x() {
        return bed.sandbox.x();
    }

    @Test
    void connects_and_syncs_the_x_account_and_the_ad_accounts_with_their_currency() throws Exception {
        x().seed(3, 2);
        OAuthUser.connect(cli, org, "x");

        JsonNode first = sync();

        assertThat(first.get("succeeded").asInt()).as(first.toString()).isEqualTo(1);
        assertThat(list("channels")).singleElement().satisfies(c -> {
            assertThat(c.get("type").asText()).isEqualTo("x_account");
            assertThat(c.toString()).contains(XSimulator.USER_ID);
        });
        assertThat(list("ad-accounts")).hasSize(3)
                .allSatisfy(a -> assertThat(a.toString()).contains("USD").contains("America/Los_Angeles"));
    }

    @Test
    void a_401_marks_the_integration_for_reauth_with_one_alert_and_the_sweep_never_refreshes_x() throws Exception {
        JsonNode integration = OAuthUser.connect(cli, org, "x");
        bed.clock.advance(Duration.ofDays(400));
        JsonNode sweep = Json.MAPPER.readTree(cli.run("--json", "tokens", "refresh").stdout());
        assertThat(sweep.toString()).doesNotContain("\"refreshed\"").doesNotContain("needs_reauth");
        assertThat(x().requests("/oauth/.*")).as("no token call").isEqualTo(3);

        x().failNext(1, ACCOUNTS, Fault.REVOKED);
        CliRun.Result refused = cli.run("--json", "sync");
        cli.run("--json", "sync");

        assertThat(refused.exitCode()).isEqualTo(1);
        assertThat(refused.stdout()).contains("needs_reauth");
        JsonNode shown = Json.MAPPER.readTree(cli.run("--json", "integrations", "show",
                integration.get("id").asText()).ok().stdout());
        assertThat(shown.get("status").asText()).isEqualTo("needs_reauth");
        long alerts = bed.jdbi.withHandle(h -> h.createQuery(
                "SELECT count(*) FROM cmis_platform.notifications WHERE kind = 'needs_reauth'").mapTo(Long.class).one());
        assertThat(alerts).isEqualTo(1);
    }

    @Test
    void one_ad_accounts_own_limit_holds_back_that_account_only_and_it_keeps_its_last_known_row() throws Exception {
        x().seed(3, 0);
        OAuthUser.connect(cli, org, "x");
        sync();
        assertThat(list("ad-accounts")).extracting(a -> a.get("currency").asText()).containsOnly("USD");

        String limited = XSimulator.accountId(1);
        x().currency("EUR");
        x().spendAccountWindow(limited);
        int fundingBefore = x().requests("/12/accounts/.*/funding_instruments");
        JsonNode second = sync();

        assertThat(x().requests("/12/accounts/.*/funding_instruments") - fundingBefore)
                .as("every account's funding instruments asked for, the limited one once").isEqualTo(3);
        assertThat(second.toString()).contains("x_ad_account:" + limited);
        List<JsonNode> accounts = list("ad-accounts");
        assertThat(accounts).as("nothing removed").hasSize(3)
                .allSatisfy(a -> assertThat(a.get("status").asText()).isEqualTo("active"));
        for (JsonNode a : accounts) {
            boolean isLimited = a.get("external_id").asText().equals(limited);
            assertThat(a.get("currency").asText()).as(a.toString()).isEqualTo(isLimited ? "USD" : "EUR");
        }

        bed.clock.advance(Duration.ofSeconds(901));
        sync();

        assertThat(list("ad-accounts")).hasSize(3).extracting(a -> a.get("currency").asText()).containsOnly("EUR");
    }

    private JsonNode sync() throws Exception {
        return Json.MAPPER.readTree(cli.run("--json", "sync").stdout());
    }

    private List<JsonNode> list(String what) throws Exception {
        List<JsonNode> out = new ArrayList<>();
        Json.MAPPER.readTree(cli.run("--json", what, "list", "--platform", "x").ok().stdout()).forEach(out::add);
        return out;
    }
}
