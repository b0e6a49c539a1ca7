package io.cmis.platform.tokens;

import com.fasterxml.jackson.databind.JsonNode;
import io.cmis.platform.cli.Json;
import io.cmis.platform.support.CliRun;
import io.cmis.platform.support.SandboxCliTest;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Every stored token has a way to stay alive, or a warning: none is accepted that nobody will renew. */
class EveryTokenKeptAliveTest extends SandboxCliTest {

    @Test
    void a_tiktok_token_imported_with_a_refresh_token_is_an_account_holders_and_renewed() throws Exception {
        String[] tokens = {"act.imported-access", "rft.imported-refresh"};
        JsonNode added = Json.MAPPER.readTree(cli.run("--json", "integrations", "add", "tiktok", "--org", org,
                "--access-token", tokens[0], "--refresh-token", tokens[1], "--expires-in", "300",
                "--external-id", "open-id-1").ok().stdout());
        assertThat(added.get("token_kind").asText()).isEqualTo("tt_user");
        JsonNode status = Json.MAPPER.readTree(cli.run("--json", "tokens", "status").ok().stdout()).get(0);
        assertThat(status.get("renewal").asText()).isEqualTo("refresh_token");
    }

    @Test
    void an_advertiser_kind_with_a_refresh_token_or_an_expiry_is_a_usage_error_that_names_the_kind_that_fits() {
        CliRun.Result refused = cli.run("integrations", "add", "tiktok", "--org", org, "--kind", "advertiser",
                "--access-token", "act.x", "--refresh-token", "rft.y", "--external-id", "7000000000000000001");
        assertThat(refused.exitCode()).isEqualTo(2);
        assertThat(refused.stderr().strip().lines()).hasSize(1);
        assertThat(refused.stderr()).contains("--kind tt_user").doesNotContain("rft.y");
        assertThat(cli.run("integrations", "add", "tiktok", "--org", org, "--kind", "advertiser", "--access-token",
                "act.x", "--expires-in", "300", "--external-id", "7000000000000000001").exitCode()).isEqualTo(2);
        assertThat(integrations()).as("nothing stored").isZero();
    }

    @Test
    void a_token_that_expires_with_nothing_to_renew_it_is_reported_alerted_and_marked_once_expired() throws Exception {
        String[] google = bed.sandbox.google().issueTokens();
        cli.run("integrations", "add", "google", "--org", org, "--access-token", google[0], "--expires-in", "7200",
                "--external-id", "ads-only-account").ok();

        JsonNode status = Json.MAPPER.readTree(cli.run("--json", "tokens", "status").ok().stdout()).get(0);
        assertThat(status.get("renewal").asText()).isEqualTo("none");
        assertThat(status.get("expiring").asBoolean()).isTrue();
        assertThat(cli.run("tokens", "status").ok().stdout()).contains("EXPIRING");
        JsonNode health = Json.MAPPER.readTree(cli.run("--json", "health").stdout());
        assertThat(health.at("/components/integrations/expiring_soon").asInt()).isEqualTo(1);
        assertThat(health.at("/components/integrations/health").asText()).isEqualTo("warning");

        JsonNode warned = sweep().get("items").get(0);
        assertThat(warned.get("outcome").asText()).isEqualTo("warned");
        assertThat(warned.get("detail").asText()).contains("nothing can renew it").doesNotContain("does not expire");
        List<String> messages = messages("token_expiring");
        assertThat(messages).isNotEmpty().allSatisfy(m -> assertThat(m)
                .contains("google account ads-only-account", "integration ", "org " + org,
                        "cmis-platform connect start google --org " + org));

        bed.clock.advance(Duration.ofHours(3));
        CliRun.Result expired = cli.run("--json", "tokens", "refresh");
        assertThat(expired.exitCode()).isEqualTo(1);
        assertThat(Json.MAPPER.readTree(expired.stdout()).get("items").get(0).get("outcome").asText())
                .isEqualTo("needs_reauth");
        assertThat(Json.MAPPER.readTree(cli.run("--json", "integrations", "list").ok().stdout()).get(0)
                .get("status").asText()).isEqualTo("needs_reauth");
        assertThat(messages("needs_reauth")).singleElement().asString()
                .contains("google account ads-only-account", "cmis-platform connect start google --org " + org);
        assertThat(bed.sandbox.google().requests("/token")).as("nothing to refresh with, nothing asked").isZero();
    }

    @Test
    void a_google_token_that_cannot_say_whose_it_is_asks_for_the_external_id_in_one_line() {
        String[] adsOnly = bed.sandbox.google().addUser("ads-only-user", "6000000002");
        CliRun.Result refused = cli.run("integrations", "add", "google", "--org", org, "--access-token", adsOnly[0],
                "--refresh-token", adsOnly[1], "--expires-in", "3600");
        assertThat(refused.exitCode()).isEqualTo(2);
        assertThat(refused.stderr().strip().lines()).hasSize(1);
        assertThat(refused.stderr()).contains("--external-id").contains("insufficient authentication scopes")
                .doesNotContain(adsOnly[0]).doesNotContain(adsOnly[1]);
        assertThat(integrations()).isZero();
        cli.run("integrations", "add", "google", "--org", org, "--access-token", adsOnly[0], "--refresh-token",
                adsOnly[1], "--expires-in", "3600", "--external-id", "ads-only-user").ok();
    }

    private JsonNode sweep() throws Exception {
        return Json.MAPPER.readTree(cli.run("--json", "tokens", "refresh").stdout());
    }

    private int integrations() {
        return bed.jdbi.withHandle(h -> h.createQuery("SELECT count(*) FROM cmis_platform.integrations")
                .mapTo(Integer.class).one());
    }

    private List<String> messages(String kind) {
        return bed.jdbi.withHandle(h -> h.createQuery("SELECT message FROM cmis_platform.notifications WHERE kind = :k")
                .bind("k", kind).mapTo(String.class).list());
    }
}
