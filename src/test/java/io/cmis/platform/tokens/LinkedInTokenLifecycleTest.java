package io.cmis.platform.tokens;

import com.fasterxml.jackson.databind.JsonNode;
import io.cmis.platform.cli.Json;
import io.cmis.platform.sandbox.LinkedInSimulator;
import io.cmis.platform.support.CliRun;
import io.cmis.platform.support.OAuthUser;
import io.cmis.platform.support.SandboxCliTest;
import org.junit.jupiter.api.Test;

import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * LinkedIn tokens through the real command line: a partner app's refresh token keeps the end of its
 * first consent, the org is warned before that end and must reconnect after it; without a refresh
 * token the grant is warned about and then needs re-auth, as Meta's.
 */
class LinkedInTokenLifecycleTest extends SandboxCliTest {
    /** A sandbox token or code: access AQV, refresh AQX, code AQT, each followed by hex. */
    private static final Pattern SANDBOX_SECRET = Pattern.compile("AQ[VXT][0-9a-f]{8}");

    @Test
    void a_refresh_renews_the_access_token_and_keeps_the_refresh_tokens_first_end() throws Exception {
        JsonNode integration = OAuthUser.connect(cli, org, "linkedin");
        Instant refreshEnds = bed.clock.instant().plus(Duration.ofDays(365)).minusSeconds(1);
        assertThat(integration.get("external_account_id").asText()).isEqualTo(LinkedInSimulator.MEMBER);
        assertThat(refreshEnd(integration)).isEqualTo(refreshEnds);

        bed.clock.advance(Duration.ofDays(59).plusHours(12));
        JsonNode sweep = sweep();

        assertThat(sweep.get("items").get(0).get("outcome").asText()).isEqualTo("refreshed");
        assertThat(show(integration).get("token_expires_at").asText())
                .isEqualTo(bed.clock.instant().plus(Duration.ofDays(60)).toString());
        assertThat(refreshEnd(integration)).as("not extended by the refresh").isEqualTo(refreshEnds);
    }

    @Test
    void the_org_is_warned_before_the_refresh_token_ends_and_must_reconnect_after_it() throws Exception {
        JsonNode integration = OAuthUser.connect(cli, org, "linkedin");
        for (int round = 0; round < 6; round++) { // to day 357: six 60-day access tokens
            bed.clock.advance(Duration.ofDays(59).plusHours(12));
            assertThat(sweep().get("items").get(0).get("outcome").asText()).as("round " + round).isEqualTo("refreshed");
        }
        assertThat(notifications()).isEmpty();

        bed.clock.advance(Duration.ofDays(1).plusHours(12)); // day 358.5: 6.5 days left
        assertThat(sweep().get("items").get(0).get("outcome").asText()).isEqualTo("warned");
        assertThat(sweep().get("items").get(0).get("outcome").asText()).as("once").isEqualTo("skipped");
        assertThat(notifications()).singleElement().asString().startsWith("refresh-expiry:");

        bed.clock.advance(Duration.ofDays(6)); // day 364.5: the last refresh, and the 1-day warning
        assertThat(sweep().get("items").get(0).get("outcome").asText()).isEqualTo("refreshed");
        assertThat(notifications()).hasSize(2);

        bed.clock.advance(Duration.ofDays(1));
        assertThat(sweep().get("items").get(0).get("outcome").asText()).isEqualTo("needs_reauth");
        assertThat(show(integration).get("status").asText()).isEqualTo("needs_reauth");
    }

    @Test
    void an_imported_refresh_token_learns_its_end_from_its_first_refresh_and_is_warned_once() throws Exception {
        String member = LinkedInSimulator.MEMBER;
        JsonNode added = Json.MAPPER.readTree(cli.run("--json", "integrations", "add", "linkedin", "--org", org,
                "--access-token", bed.sandbox.linkedin().issueAccessToken(member),
                "--refresh-token", bed.sandbox.linkedin().issueRefreshToken(member, Duration.ofDays(5)),
                "--expires-in", "3600", "--external-id", member).ok().stdout());
        assertThat(refreshEndOrNull(added)).as("an import does not know the end").isNull();

        JsonNode refreshed = sweep().get("items").get(0);

        assertThat(refreshed.get("outcome").asText()).isEqualTo("refreshed");
        Instant end = bed.clock.instant().plus(Duration.ofDays(5));
        assertThat(refreshEnd(added)).as("learnt from the refresh answer").isEqualTo(end);
        assertThat(notifications()).as("the 7-day warning").singleElement().asString()
                .isEqualTo("refresh-expiry:" + added.get("id").asText() + ":" + Duration.ofDays(7).toSeconds() + ":"
                        + end.getEpochSecond());
        bed.clock.advance(Duration.ofHours(1));
        assertThat(sweep().get("items").get(0).get("outcome").asText()).isEqualTo("skipped");
        assertThat(notifications()).as("once").hasSize(1);

        // tokens status and health say the same of it: it ends in 5 days whatever a refresh does
        JsonNode status = Json.MAPPER.readTree(cli.run("--json", "tokens", "status").ok().stdout()).get(0);
        assertThat(status.get("expiring").asBoolean()).isTrue();
        assertThat(Instant.parse(status.get("refresh_token_expires_at").asText())).isEqualTo(end);
        JsonNode health = Json.MAPPER.readTree(cli.run("--json", "health").stdout());
        assertThat(health.at("/components/integrations/expiring_soon").asInt()).isEqualTo(1);
    }

    @Test
    void an_end_that_moves_by_seconds_between_refresh_answers_is_not_warned_about_again() throws Exception {
        String member = LinkedInSimulator.MEMBER;
        JsonNode added = Json.MAPPER.readTree(cli.run("--json", "integrations", "add", "linkedin", "--org", org,
                "--access-token", bed.sandbox.linkedin().issueAccessToken(member),
                "--refresh-token", bed.sandbox.linkedin().issueRefreshToken(member, Duration.ofDays(5)),
                "--expires-in", "3600", "--external-id", member).ok().stdout());
        assertThat(sweep().get("items").get(0).get("outcome").asText()).isEqualTo("refreshed");
        Instant end = refreshEnd(added);

        bed.sandbox.linkedin().refreshEndSkew(Duration.ofSeconds(-30)); // counted before a 30 s latency
        bed.clock.advance(Duration.ofDays(4).plusHours(1)); // the access token ends with the year: refreshed again
        assertThat(sweep().get("items").get(0).get("outcome").asText()).isEqualTo("refreshed");

        assertThat(refreshEnd(added)).as("the same end").isEqualTo(end);
        assertThat(notifications()).as("7 days once, then 1 day").hasSize(2)
                .allSatisfy(key -> assertThat(key).endsWith(":" + end.getEpochSecond()));
    }

    @Test
    void without_a_refresh_token_the_grant_is_warned_about_and_then_needs_reauth() throws Exception {
        bed.sandbox.linkedin().partnerApp(false);
        JsonNode integration = OAuthUser.connect(cli, org, "linkedin");
        assertThat(show(integration).get("has_refresh_token").asBoolean()).isFalse();

        bed.clock.advance(Duration.ofDays(54));
        assertThat(sweep().get("items").get(0).get("outcome").asText()).isEqualTo("warned");
        assertThat(notifications()).hasSize(1);

        bed.clock.advance(Duration.ofDays(6).plusHours(1));
        CliRun.Result expired = cli.run("--json", "tokens", "refresh");
        assertThat(Json.MAPPER.readTree(expired.stdout()).get("items").get(0).get("outcome").asText())
                .isEqualTo("needs_reauth");
        assertThat(show(integration).get("status").asText()).isEqualTo("needs_reauth");
        assertThat(bed.sandbox.linkedin().requests("/oauth/v2/accessToken")).as("only the code exchange").isEqualTo(1);
    }

    @Test
    void a_reconnect_replaces_the_earlier_tokens() throws Exception {
        bed.sandbox.linkedin().partnerApp(false);
        JsonNode first = OAuthUser.connect(cli, org, "linkedin");
        bed.sandbox.linkedin().partnerApp(true);
        bed.clock.advance(Duration.ofDays(10));
        JsonNode second = OAuthUser.connect(cli, org, "linkedin");

        assertThat(second.get("id").asText()).isEqualTo(first.get("id").asText());
        assertThat(show(second).get("has_refresh_token").asBoolean()).isTrue();
        assertThat(refreshEnd(second)).isEqualTo(bed.clock.instant().plus(Duration.ofDays(365)).minusSeconds(1));
    }

    @Test
    void no_token_code_or_secret_reaches_the_output_or_the_log() {
        OAuthUser.Flow flow;
        try {
            flow = OAuthUser.begin(cli, org, "linkedin");
        } catch (Exception e) {
            throw new AssertionError(e);
        }
        CliRun.Result connected = cli.run("--verbose", "--json", "connect", "complete", "--state", flow.state(),
                "--code", flow.code());
        bed.clock.advance(Duration.ofDays(59).plusHours(12));
        CliRun.Result refreshed = cli.run("--verbose", "--json", "tokens", "refresh");
        bed.sandbox.linkedin().revokeMember();
        bed.clock.advance(Duration.ofDays(59).plusHours(12));
        CliRun.Result revoked = cli.run("--verbose", "--json", "tokens", "refresh");

        for (CliRun.Result run : List.of(connected, refreshed, revoked)) {
            assertThat(run.all()).doesNotContain(LinkedInSimulator.CLIENT_SECRET).doesNotContain(flow.code());
            assertThat(SANDBOX_SECRET.matcher(run.all()).find()).as(run.all()).isFalse();
        }
        assertThat(revoked.all()).contains("needs_reauth");
    }

    @Test
    void a_refused_token_is_refreshed_once_and_the_sync_stores_pages_and_ad_accounts() throws Exception {
        OAuthUser.connect(cli, org, "linkedin");
        bed.sandbox.linkedin().answerNext("/rest/organizationAcls", 401, "", 0, "Unauthorized");

        JsonNode synced = Json.MAPPER.readTree(cli.run("--json", "sync").stdout());

        assertThat(synced.get("items").get(0).get("outcome").asText()).isEqualTo("synced");
        assertThat(bed.sandbox.linkedin().requests("/oauth/v2/accessToken")).as("the exchange, one refresh").isEqualTo(2);
        JsonNode pages = Json.MAPPER.readTree(cli.run("--json", "channels", "list", "--platform", "linkedin").ok()
                .stdout());
        assertThat(pages).hasSize(3).allSatisfy(p -> assertThat(p.get("type").asText()).isEqualTo("linkedin_page"));
    }

    @Test
    void a_refused_token_without_a_refresh_token_needs_reauth() throws Exception {
        bed.sandbox.linkedin().partnerApp(false);
        JsonNode integration = OAuthUser.connect(cli, org, "linkedin");
        bed.sandbox.linkedin().answerNext("/rest/organizationAcls", 401, "", 0, "Unauthorized");

        JsonNode synced = Json.MAPPER.readTree(cli.run("--json", "sync").stdout());

        assertThat(synced.get("items").get(0).get("outcome").asText()).isEqualTo("needs_reauth");
        assertThat(show(integration).get("status").asText()).isEqualTo("needs_reauth");
    }

    private Instant refreshEndOrNull(JsonNode integration) {
        Timestamp end = bed.jdbi.withHandle(h -> h.createQuery(
                        "SELECT refresh_token_expires_at FROM cmis_platform.integrations WHERE id = CAST(:id AS uuid)")
                .bind("id", integration.get("id").asText()).mapTo(Timestamp.class).one());
        return end == null ? null : end.toInstant();
    }

    private Instant refreshEnd(JsonNode integration) {
        return bed.jdbi.withHandle(h -> h.createQuery(
                        "SELECT refresh_token_expires_at FROM cmis_platform.integrations WHERE id = CAST(:id AS uuid)")
                .bind("id", integration.get("id").asText()).mapTo(Timestamp.class).one()).toInstant();
    }

    private JsonNode sweep() throws Exception {
        return Json.MAPPER.readTree(cli.run("--json", "tokens", "refresh").stdout());
    }

    private JsonNode show(JsonNode integration) throws Exception {
        return Json.MAPPER.readTree(cli.run("--json", "integrations", "show", integration.get("id").asText()).ok()
                .stdout());
    }

    private List<String> notifications() {
        return bed.jdbi.withHandle(h -> h.createQuery(
                "SELECT dedupe_key FROM cmis_platform.notifications WHERE kind = 'token_expiring' ORDER BY created_at")
                .mapTo(String.class).list());
    }
}
