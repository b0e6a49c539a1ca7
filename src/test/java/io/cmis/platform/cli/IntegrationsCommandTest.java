package io.cmis.platform.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.cmis.platform.crypto.Keyring;
import io.cmis.platform.crypto.SecretColumns;
import io.cmis.platform.crypto.TokenVault;
import io.cmis.platform.support.CliRun;
import io.cmis.platform.support.TestKeys;
import io.cmis.platform.support.TestPostgres;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code integrations add | list | show | disable} through the real command line. */
class IntegrationsCommandTest {
    private static final String TOKEN = "EAABwzLixnjYBAKZCZBimportedtoken";
    private static final String REFRESH = "1//0gRefreshTokenFromPrototype";
    private static final Instant NOW = Instant.parse("2026-11-25T12:00:00Z");

    private final String org = UUID.randomUUID().toString();
    private String database;
    private CliRun cli;
    private Jdbi raw;

    @BeforeEach
    void freshDatabase() {
        database = TestPostgres.freshDatabase();
        cli = CliRun.against(database).clock(Clock.fixed(NOW, ZoneOffset.UTC));
        raw = TestPostgres.superuser(database);
    }

    @Test
    void add_imports_a_token_encrypted_and_prints_the_integration_without_it() throws Exception {
        CliRun.Result added = cli.run("--json", "integrations", "add", "meta", "--org", org, "--access-token", TOKEN,
                "--refresh-token", REFRESH, "--expires-in", "5184000", "--external-id", "10210299214172187").ok();

        JsonNode json = Json.MAPPER.readTree(added.stdout());
        assertThat(json.get("created").asBoolean()).isTrue();
        assertThat(json.get("org_id").asText()).isEqualTo(org);
        assertThat(json.get("platform").asText()).isEqualTo("meta");
        assertThat(json.get("external_account_id").asText()).isEqualTo("10210299214172187");
        assertThat(json.get("status").asText()).isEqualTo("active");
        assertThat(json.get("token_expires_at").asText()).isEqualTo("2027-01-24T12:00:00Z");
        assertThat(json.has("last_refreshed_at")).isTrue();
        assertThat(json.get("refresh_count").asInt()).isZero();
        assertThat(added.all()).doesNotContain(TOKEN).doesNotContain(REFRESH);

        String row = raw.withHandle(h -> h.createQuery("SELECT row_to_json(i)::text FROM integrations i")
                .mapTo(String.class).one());
        assertThat(row).doesNotContain(TOKEN).doesNotContain(REFRESH).contains("v2.k1.");
    }

    @Test
    void add_again_updates_the_same_integration_instead_of_making_a_duplicate() throws Exception {
        String first = id(cli.run("--json", "integrations", "add", "google", "--org", org, "--access-token",
                "ya29.first-token-value", "--external-id", "acct").ok());
        cli.run("integrations", "disable", first).ok();

        CliRun.Result again = cli.run("integrations", "add", "google", "--org", org, "--access-token",
                "ya29.second-token-value", "--external-id", "acct", "--expires-in", "3599").ok();

        assertThat(again.stdout()).startsWith("updated integration " + first);
        assertThat(count("integrations")).isEqualTo(1);
        JsonNode shown = Json.MAPPER.readTree(cli.run("--json", "integrations", "show", first).ok().stdout());
        assertThat(shown.get("status").asText()).as("a re-import re-activates").isEqualTo("active");
        assertThat(shown.get("token_expires_at").asText()).isEqualTo("2026-11-25T12:59:59Z");
    }

    @Test
    void list_filters_by_org_platform_and_status_in_table_and_json() throws Exception {
        String other = UUID.randomUUID().toString();
        cli.run("integrations", "add", "meta", "--org", org, "--access-token", TOKEN, "--external-id", "m1").ok();
        String google = id(cli.run("--json", "integrations", "add", "google", "--org", org, "--access-token",
                "ya29.abcdefghijkl", "--external-id", "g1").ok());
        cli.run("integrations", "add", "tiktok", "--org", other, "--access-token", "act.abcdefghijkl",
                "--external-id", "t1").ok();
        cli.run("integrations", "disable", google).ok();

        CliRun.Result table = cli.run("integrations", "list", "--org", org).ok();
        assertThat(table.stdout().lines().findFirst().orElseThrow()).startsWith("ID").contains("PLATFORM", "STATUS");
        assertThat(table.stdout()).contains("m1", "g1").doesNotContain("t1");

        assertThat(accounts(cli.run("--json", "integrations", "list", "--platform", "tiktok").ok()))
                .containsExactly("t1");
        assertThat(accounts(cli.run("integrations", "list", "--status", "disabled", "--json").ok()))
                .containsExactly("g1");
        assertThat(accounts(cli.run("integrations", "--json", "list").ok())).containsExactlyInAnyOrder("m1", "g1", "t1");
        assertThat(cli.run("integrations", "list", "--org", UUID.randomUUID().toString()).ok().stdout())
                .isEqualTo("no integrations match\n");
    }

    @Test
    void show_and_disable_by_id_and_disable_twice_is_harmless() {
        String id = id(cli.run("--json", "integrations", "add", "meta", "--org", org, "--access-token", TOKEN,
                "--external-id", "m1").ok());

        CliRun.Result shown = cli.run("integrations", "show", id).ok();
        assertThat(shown.stdout()).contains("status:", "active", "refresh token:", "none").doesNotContain(TOKEN);

        assertThat(cli.run("integrations", "disable", id).ok().stdout()).isEqualTo("disabled integration " + id + "\n");
        assertThat(cli.run("integrations", "disable", id).ok().stdout()).contains("already disabled");
        assertThat(cli.run("integrations", "show", id).ok().stdout()).contains("disabled (disabled by an operator)");
    }

    @Test
    void bad_input_gets_one_line_exit_2_and_changes_nothing() {
        List<List<String>> bad = List.of(
                List.of("integrations", "add", "meta", "--org", "not-a-uuid", "--access-token", TOKEN, "--external-id", "1"),
                List.of("integrations", "add", "myspace", "--org", org, "--access-token", TOKEN, "--external-id", "1"),
                List.of("integrations", "add", "meta", "--org", org, "--access-token", TOKEN, "--external-id", "1",
                        "--expires-in", "-5"),
                List.of("integrations", "add", "meta", "--org", org, "--access-token", TOKEN, "--external-id", "1",
                        "--expires-in", "soon"),
                List.of("integrations", "add", "meta", "--org", org, "--access-token", "has space", "--external-id", "1"),
                List.of("integrations", "add", "meta", "--org", org, "--external-id", "1"),
                List.of("integrations", "add", "meta", "--org", org, "--access-token", TOKEN, "--external-id", " "),
                List.of("integrations", "show", "42"),
                List.of("integrations", "show", UUID.randomUUID().toString()),
                List.of("integrations", "disable", UUID.randomUUID().toString()),
                List.of("integrations", "list", "--status", "sleeping"),
                List.of("integrations", "frobnicate"),
                List.of("--no-such-option"));
        for (List<String> args : bad) {
            CliRun.Result result = cli.run(args.toArray(String[]::new));
            assertThat(result.exitCode()).as(args + "\n" + result).isEqualTo(ExitCodes.USAGE);
            assertThat(result.stderr().strip().lines()).as(args + "\n" + result).hasSize(1);
            assertThat(result.stderr()).as(args.toString()).startsWith("error: ").doesNotContain("\tat ")
                    .doesNotContain(TOKEN);
            assertThat(result.stdout()).isEmpty();
        }
        assertThat(count("integrations")).isZero();
    }

    @Test
    void the_access_token_can_come_from_stdin_to_stay_out_of_the_process_list() throws Exception {
        java.io.InputStream original = System.in;
        try {
            System.setIn(new java.io.ByteArrayInputStream((TOKEN + "\n").getBytes()));
            cli.run("integrations", "add", "meta", "--org", org, "--access-token", "-", "--external-id", "m1").ok();
        } finally {
            System.setIn(original);
        }
        String stored = raw.withHandle(h -> h.createQuery("SELECT access_token_enc FROM integrations")
                .mapTo(String.class).one());
        assertThat(stored).startsWith("v2.k1.");
    }

    @Test
    void literal_passes_a_value_that_is_a_dash_or_starts_with_env_as_it_is() throws Exception {
        String access = "env:EAABwzLixnjYBAKZCZBliteral";
        cli.run("--json", "integrations", "add", "meta", "--org", org, "--access-token", "literal:" + access,
                "--refresh-token", "literal:-", "--external-id", "m1").ok();

        Map<String, Object> row = raw.withHandle(h -> h.createQuery(
                "SELECT id, org_id, access_token_enc, refresh_token_enc FROM integrations").mapToMap().one());
        TokenVault vault = new TokenVault(Keyring.parse(TestKeys.K1), new SecureRandom());
        UUID orgId = (UUID) row.get("org_id");
        UUID id = (UUID) row.get("id");
        assertThat(vault.decrypt((String) row.get("access_token_enc"), SecretColumns.INTEGRATION_ACCESS_TOKEN
                .slot(orgId, id)).reveal()).as("not read from a variable named EAAB…").isEqualTo(access);
        assertThat(vault.decrypt((String) row.get("refresh_token_enc"), SecretColumns.INTEGRATION_REFRESH_TOKEN
                .slot(orgId, id)).reveal()).as("not read from stdin").isEqualTo("-");
    }

    private long count(String table) {
        return raw.withHandle(h -> h.createQuery("SELECT count(*) FROM " + table).mapTo(Long.class).one());
    }

    private static String id(CliRun.Result result) {
        try {
            return Json.MAPPER.readTree(result.stdout()).get("id").asText();
        } catch (Exception e) {
            throw new AssertionError(result.toString(), e);
        }
    }

    private static List<String> accounts(CliRun.Result result) throws Exception {
        JsonNode array = Json.MAPPER.readTree(result.stdout());
        assertThat(array.isArray()).isTrue();
        List<String> ids = new java.util.ArrayList<>();
        array.forEach(n -> ids.add(n.get("external_account_id").asText()));
        return ids;
    }
}
