package io.cmis.platform.sync;

import com.fasterxml.jackson.databind.JsonNode;
import io.cmis.platform.cli.Json;
import io.cmis.platform.sandbox.Fault;
import io.cmis.platform.sandbox.SnapchatSimulator;
import io.cmis.platform.sandbox.SnapchatSimulator.RefreshAnswer;
import io.cmis.platform.support.CliRun;
import io.cmis.platform.support.OAuthUser;
import io.cmis.platform.support.SandboxCliTest;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Snapchat through the real command line: connect, sync, the token lifecycle, against the sandbox. */
class SnapchatSyncTest extends SandboxCliTest {
    private static final String TOKEN = "/login/oauth2/access_token";
    private static final String BOTH_SCOPES = "snapchat-marketing-api,snapchat-profile-api";

    private SnapchatSimulator snapchat() {
        return bed.sandbox.snapchat();
    }

    @Test
    void connects_and_syncs_profiles_and_ad_accounts_across_pages() throws Exception {
        snapchat().seed(70, 2);
        snapchat().seedProfiles(60);
        JsonNode integration = OAuthUser.connect(cli, org, "snapchat", "--scopes", BOTH_SCOPES);
        assertThat(integration.get("external_account_id").asText()).isEqualTo(SnapchatSimulator.ME_ID);
        assertThat(integration.get("has_refresh_token").asBoolean()).isTrue();
        assertThat(integration.get("token_expires_at").asText()).isEqualTo(bed.clock.instant().plusSeconds(1800).toString());

        JsonNode first = sync();
        assertThat(first.get("succeeded").asInt()).as(first.toString()).isEqualTo(1);
        assertThat(list("channels")).hasSize(60)
                .allSatisfy(c -> assertThat(c.get("type").asText()).isEqualTo("snapchat_profile"));
        assertThat(list("ad-accounts")).hasSize(140);
    }

    @Test
    void without_the_profile_scope_only_ad_accounts_are_synced() throws Exception {
        OAuthUser.connect(cli, org, "snapchat");

        assertThat(sync().get("succeeded").asInt()).isEqualTo(1);
        assertThat(list("channels")).isEmpty();
        assertThat(list("ad-accounts")).hasSize(4);
        assertThat(snapchat().requests("/v1/me/public_profiles")).isZero();
    }

    @Test
    void a_failed_organization_fails_the_sync_and_removes_nothing() throws Exception {
        snapchat().seed(3, 2);
        OAuthUser.connect(cli, org, "snapchat");
        sync();
        snapchat().failOrganizations(2);

        CliRun.Result result = cli.run("--json", "sync");

        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.stdout()).contains("failed").contains(SnapchatSimulator.organizationId(2));
        assertThat(list("ad-accounts")).hasSize(6)
                .allSatisfy(a -> assertThat(a.get("status").asText()).isNotEqualTo("removed"));
    }

    @Test
    void a_plain_text_401_is_refreshed_once_then_needs_reauth() throws Exception {
        JsonNode integration = OAuthUser.connect(cli, org, "snapchat");
        snapchat().failNext(1, "/v1/me/organizations", Fault.TOKEN_EXPIRED);
        assertThat(sync().get("succeeded").asInt()).as("one refresh, then it works").isEqualTo(1);
        assertThat(show(integration).get("refresh_count").asInt()).isEqualTo(1);

        bed.clock.advance(Duration.ofMinutes(11)); // past tokens' "refreshed recently"
        int refreshes = snapchat().requests(TOKEN);
        snapchat().failNext(2, "/v1/me/organizations", Fault.TOKEN_EXPIRED);
        CliRun.Result refused = cli.run("--json", "sync");

        assertThat(refused.exitCode()).isEqualTo(1);
        assertThat(refused.stdout()).contains("needs_reauth");
        assertThat(snapchat().requests(TOKEN) - refreshes).as("refreshed once, not again and again").isEqualTo(1);
        assertThat(show(integration).get("status").asText()).isEqualTo("needs_reauth");
    }

    @Test
    void a_refresh_without_a_refresh_token_keeps_the_stored_one_sweep_after_sweep() throws Exception {
        snapchat().refreshAnswer(RefreshAnswer.ABSENT);
        JsonNode integration = OAuthUser.connect(cli, org, "snapchat");
        assertSweepsRefresh(integration);
    }

    @Test
    void a_rotated_refresh_token_is_stored_so_the_next_sweep_still_works() throws Exception {
        snapchat().refreshAnswer(RefreshAnswer.ROTATED);
        JsonNode integration = OAuthUser.connect(cli, org, "snapchat");
        assertSweepsRefresh(integration);
    }

    @Test
    void invalid_grant_on_refresh_marks_the_integration_for_reauth() throws Exception {
        JsonNode integration = OAuthUser.connect(cli, org, "snapchat");
        snapchat().revokeUser();
        bed.clock.advance(Duration.ofMinutes(25));

        JsonNode sweep = Json.MAPPER.readTree(cli.run("--json", "tokens", "refresh").stdout());

        assertThat(sweep.get("items").get(0).get("outcome").asText()).isEqualTo("needs_reauth");
        assertThat(show(integration).get("status").asText()).isEqualTo("needs_reauth");
    }

    @Test
    void config_show_lists_the_snapchat_keys_with_the_secret_masked() {
        CliRun.Result shown = cli.run("config", "show").ok();
        assertThat(shown.stdout()).contains("snapchat.client-secret").contains("snapchat.profile-api-url")
                .contains("snapchat-marketing-api").doesNotContain(SnapchatSimulator.CLIENT_SECRET);
    }

    /** Three sweeps 25 minutes apart: each one refreshes with the refresh token as stored by the last. */
    private void assertSweepsRefresh(JsonNode integration) throws Exception {
        for (int round = 0; round < 3; round++) {
            bed.clock.advance(Duration.ofMinutes(25));
            JsonNode sweep = Json.MAPPER.readTree(cli.run("--json", "tokens", "refresh").stdout());
            assertThat(sweep.get("items").get(0).get("outcome").asText()).as("round " + round + ": " + sweep)
                    .isEqualTo("refreshed");
        }
        JsonNode after = show(integration);
        assertThat(after.get("refresh_count").asInt()).isEqualTo(3);
        assertThat(after.get("has_refresh_token").asBoolean()).isTrue();
        assertThat(after.get("status").asText()).isEqualTo("active");
    }

    private JsonNode sync() throws Exception {
        return Json.MAPPER.readTree(cli.run("--json", "sync").stdout());
    }

    private JsonNode show(JsonNode integration) throws Exception {
        return Json.MAPPER.readTree(cli.run("--json", "integrations", "show", integration.get("id").asText()).ok().stdout());
    }

    private List<JsonNode> list(String what) throws Exception {
        List<JsonNode> out = new ArrayList<>();
        Json.MAPPER.readTree(cli.run("--json", what, "list", "--platform", "snapchat").ok().stdout()).forEach(out::add);
        return out;
    }
}
