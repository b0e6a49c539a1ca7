package io.cmis.platform.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.cmis.platform.crypto.Keyring;
import io.cmis.platform.crypto.SecretColumns;
import io.cmis.platform.crypto.TokenVault;
import io.cmis.platform.support.CliProcess;
import io.cmis.platform.support.CliRun;
import io.cmis.platform.support.TestKeys;
import io.cmis.platform.support.TestPostgres;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code integrations import}: JSON Lines in bulk through the real command line and the embedded database. */
class IntegrationsImportTest {
    private static final Instant NOW = Instant.parse("2026-11-25T12:00:00Z");
    // Distinctive, so that any piece of one found in output, logs or the database is a leak.
    private static final String META_FIRST = "EAAQzmetaFIRSTtokenXq81Lw";
    private static final String META_SECOND = "EAAQzmetaSECONDtokenYv72Kp";
    private static final String GOOGLE_ACCESS = "ya29.googleACCESSzQw91Rt";
    private static final String GOOGLE_REFRESH = "1//0googleREFRESHpLm55Hd";
    private static final String TIKTOK_ACCESS = "act.tiktokACCESSmmN04Gq";
    private static final String TIKTOK_REFRESH = "rft.tiktokREFRESHbbV27Jz";
    private static final String IN_BROKEN_JSON = "EAAQzbrokenJSONtokenWw33Ue";
    private static final String IN_ORG_COLUMN = "EAAQzinORGcolumnTokenKk19";
    private static final String IN_BAD_LINES = "EAAQzbadLINEStokenNn64Ts";
    private static final List<String> TOKENS = List.of(META_FIRST, META_SECOND, GOOGLE_ACCESS, GOOGLE_REFRESH,
            TIKTOK_ACCESS, TIKTOK_REFRESH, IN_BROKEN_JSON, IN_ORG_COLUMN, IN_BAD_LINES);

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

    /** Good, duplicate, blank and broken lines; the expected error of each broken one by its line number. */
    private List<String> mixedFile() {
        return List.of(
                /* 1 */ "{\"platform\":\"meta\",\"org_id\":\"" + org + "\",\"access_token\":\"" + META_FIRST
                        + "\",\"external_id\":10210299214172187,\"expires_in\":5184000,"
                        + "\"scopes\":[\"ads_read\",\"pages_show_list\"],\"id\":42,\"created_at\":\"2024-01-01\"}",
                /* 2 */ "{\"platform\":\"Google\",\"org_id\":\"" + org + "\",\"access_token\":\"" + GOOGLE_ACCESS
                        + "\",\"refresh_token\":\"" + GOOGLE_REFRESH + "\",\"external_id\":\"acct-g\","
                        + "\"expires_at\":\"2026-11-25T13:00:00Z\",\"scopes\":\"openid, https://www.googleapis.com/auth/adwords\","
                        + "\"account_name\":\"Acme Ads\"}",
                /* 3 */ "{\"platform\":\"meta\",\"access_token\":" + IN_BROKEN_JSON + ",\"org_id\":",
                /* 4 */ "{\"platform\":\"meta\",\"org_id\":\"" + org + "\",\"access_token\":\"" + META_SECOND
                        + "\",\"external_id\":\"10210299214172187\",\"expires_in\":3600,\"scopes\":\"ads_read\"}",
                /* 5 */ "",
                /* 6 */ line("meta", org, IN_BAD_LINES, null, ""),
                /* 7 */ line("myspace", org, IN_BAD_LINES, "x1", ""),
                /* 8 */ line("meta", IN_ORG_COLUMN, IN_BAD_LINES, "m8", ""),
                /* 9 */ line("meta", org, IN_BAD_LINES, "m9", ",\"refresh_token\":\"" + IN_BAD_LINES + "\""),
                /* 10 */ line("google", org, IN_BAD_LINES, "g10", ",\"expires_at\":\"2026-11-25T11:59:59Z\""),
                /* 11 */ line("google", org, IN_BAD_LINES, "g11", ",\"expires_at\":\"2026-11-26T00:00:00Z\",\"expires_in\":60"),
                /* 12 */ line("tiktok", org, IN_BAD_LINES, "t12", ",\"kind\":\"advertiser\",\"expires_in\":86400"),
                /* 13 */ line("tiktok", org, TIKTOK_ACCESS, "t13", ",\"refresh_token\":\"" + TIKTOK_REFRESH
                        + "\",\"expires_in\":86400"),
                /* 14 */ line("google", org, IN_BAD_LINES, "g14", ",\"kind\":\"" + IN_BAD_LINES + "\""),
                /* 15 */ "[\"" + IN_BAD_LINES + "\"]",
                /* 16 */ line("meta", org, IN_BAD_LINES + " " + IN_BAD_LINES, "m16", ""));
    }

    private static final Map<Integer, String> MIXED_ERRORS = Map.of(
            3, "line 3: not a JSON object (invalid JSON at column ",
            6, "line 6: external_id is required: a bulk import does not ask the platform",
            7, "line 7: platform is not one of meta, google, tiktok, snapchat, linkedin, x",
            8, "line 8: org_id is not an organization id",
            9, "line 9: refresh_token is given, but meta user tokens have none (reauth_only); leave it out",
            10, "line 10: expires_at is in the past",
            11, "line 11: expires_at and expires_in are both given; give one",
            12, "line 12: expires_in is given, but tiktok advertiser tokens never expire; leave it out or use kind tt_user",
            14, "line 14: kind is not a google token kind; use one of user",
            15, "line 15: not a JSON object");

    private static String line(String platform, String org, String token, String externalId, String more) {
        return "{\"platform\":\"" + platform + "\",\"org_id\":\"" + org + "\",\"access_token\":\"" + token + "\""
                + (externalId == null ? "" : ",\"external_id\":\"" + externalId + "\"") + more + "}";
    }

    @Test
    void good_duplicate_and_broken_lines_import_the_good_report_the_broken_by_line_and_exit_1() throws Exception {
        Path file = write(mixedFile());

        CliRun.Result result = cli.run("--verbose", "integrations", "import", "--file", file.toString());

        assertThat(result.exitCode()).as(result.toString()).isEqualTo(ExitCodes.SOME_FAILED);
        List<String> out = result.stdout().lines().toList();
        assertThat(out).as(result.toString()).hasSize(MIXED_ERRORS.size() + 2);
        MIXED_ERRORS.forEach((number, error) ->
                assertThat(out).as(result.toString()).anyMatch(l -> l.startsWith(error)));
        assertThat(out).contains("line 16: access_token must be a token of 1 to 16384 printable characters without spaces");
        assertThat(out.get(out.size() - 1)).isEqualTo("15 lines: 3 created, 1 updated, 11 failed");
        assertThat(result.stderr()).contains("ignored fields this command does not read: created_at, id");
        assertNoTokenIn(result.all());

        List<String> rows = raw.withHandle(h -> h.createQuery("""
                        SELECT platform || ' ' || external_account_id || ' ' || token_kind || ' '
                               || coalesce(scopes, '-') || ' ' || coalesce(account_name, '-') || ' '
                               || to_char(token_expires_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS') || ' '
                               || (refresh_token_enc IS NOT NULL)
                          FROM integrations ORDER BY platform""").mapTo(String.class).list());
        assertThat(rows).containsExactly(
                        "google acct-g user openid,https://www.googleapis.com/auth/adwords Acme Ads 2026-11-25T13:00:00 true",
                        "meta 10210299214172187 user ads_read - 2026-11-25T13:00:00 false",
                        "tiktok t13 tt_user - - 2026-11-26T12:00:00 true");
        assertThat(tokenOf("meta", "access")).as("the later line for the same account wins").isEqualTo(META_SECOND);
        assertThat(tokenOf("google", "refresh")).isEqualTo(GOOGLE_REFRESH);
        assertThat(tokenOf("tiktok", "refresh")).isEqualTo(TIKTOK_REFRESH);
        List<String> stored = raw.withHandle(h -> h.createQuery(
                "SELECT row_to_json(i)::text FROM integrations i").mapTo(String.class).list());
        assertNoTokenIn(String.join("\n", stored));
    }

    @Test
    void the_same_file_again_updates_every_integration_and_creates_none() throws Exception {
        Path file = write(mixedFile());
        cli.run("integrations", "import", "--file", file.toString());

        JsonNode again = Json.MAPPER.readTree(cli.run("--json", "integrations", "import", "--file", file.toString())
                .stdout());

        assertThat(again.get("created").asInt()).isZero();
        assertThat(again.get("updated").asInt()).isEqualTo(4);
        assertThat(count()).isEqualTo(3);
    }

    @Test
    void json_summary_counts_lines_and_lists_errors_by_line_without_tokens() throws Exception {
        // Everything logged, down to trace, goes to the captured stderr: no token in any of it either.
        CliRun.Result result = cli.env("CMIS_LOG_LEVEL", "trace").run("--json", "integrations", "import", "--file", write(mixedFile()).toString());

        assertThat(result.exitCode()).isEqualTo(ExitCodes.SOME_FAILED);
        JsonNode json = Json.MAPPER.readTree(result.stdout());
        assertThat(json.get("lines").asInt()).isEqualTo(15);
        assertThat(json.get("created").asInt()).isEqualTo(3);
        assertThat(json.get("updated").asInt()).isEqualTo(1);
        assertThat(json.get("failed").asInt()).isEqualTo(11);
        assertThat(json.get("dry_run").asBoolean()).isFalse();
        assertThat(json.get("errors")).hasSize(11);
        assertThat(json.get("errors").get(0).get("line").asInt()).isEqualTo(3);
        assertThat(json.get("errors").get(0).get("error").asText()).startsWith("not a JSON object (invalid JSON at column ");
        assertThat(json.get("errors").get(1).get("line").asInt()).isEqualTo(6);
        assertThat(json.get("ignored_fields").toString()).isEqualTo("[\"created_at\",\"id\"]");
        assertNoTokenIn(result.all());
    }

    @Test
    void dry_run_reports_what_a_real_run_would_and_writes_nothing() throws Exception {
        Path file = write(mixedFile());

        CliRun.Result dry = cli.run("--json", "integrations", "import", "--file", file.toString(), "--dry-run");

        assertThat(dry.exitCode()).isEqualTo(ExitCodes.SOME_FAILED);
        assertThat(count()).isZero();
        JsonNode planned = Json.MAPPER.readTree(dry.stdout());
        assertThat(planned.get("dry_run").asBoolean()).isTrue();
        JsonNode real = Json.MAPPER.readTree(cli.run("--json", "integrations", "import", "--file", file.toString())
                .stdout());
        for (String field : List.of("lines", "created", "updated", "failed", "errors")) {
            assertThat(planned.get(field)).as(field).isEqualTo(real.get(field));
        }
        JsonNode afterwards = Json.MAPPER.readTree(cli.run("--json", "integrations", "import", "--file",
                file.toString(), "--dry-run").stdout());
        assertThat(afterwards.get("created").asInt()).as("a dry run sees what is stored").isZero();
        assertThat(afterwards.get("updated").asInt()).isEqualTo(4);
        assertThat(cli.run("integrations", "import", "--file", file.toString(), "--dry-run").stdout())
                .endsWith("dry run, nothing written: 15 lines, 0 would be created, 4 would be updated, 11 failed\n");
    }

    @Test
    void stdin_is_read_with_a_dash_and_a_clean_file_exits_0() throws Exception {
        String lines = line("google", org, GOOGLE_ACCESS, "g1", ",\"refresh_token\":\"" + GOOGLE_REFRESH + "\"") + "\n"
                + line("meta", org, META_FIRST, "m1", ",\"expires_in\":60") + "\n";
        java.io.InputStream original = System.in;
        CliRun.Result result;
        try {
            System.setIn(new java.io.ByteArrayInputStream(lines.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
            result = cli.run("integrations", "import", "--file", "-");
        } finally {
            System.setIn(original);
        }

        assertThat(result.exitCode()).as(result.toString()).isEqualTo(ExitCodes.OK);
        assertThat(result.stdout()).isEqualTo("2 lines: 2 created, 0 updated, 0 failed\n");
        assertThat(result.stderr()).as("no progress line when not at a terminal").isEmpty();
        assertThat(count()).isEqualTo(2);
    }

    @Test
    void the_last_line_for_an_account_wins_however_many_writers_run() throws Exception {
        // 7 accounts over 8 writers: round-robin or any other order-blind spread would mix their lines.
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < 700; i++) {
            lines.add(line("google", org, "ya29.round" + i + "xyzxyz", "acct-" + (i % 7), ",\"expires_in\":" + (1000 + i)));
        }

        cli.run("integrations", "import", "--file", write(lines).toString(), "--concurrency", "8").ok();

        assertThat(count()).isEqualTo(7);
        for (int account = 0; account < 7; account++) {
            int last = 693 + account;
            assertThat(tokenOf("google", "acct-" + account, "access")).isEqualTo("ya29.round" + last + "xyzxyz");
        }
    }

    @Test
    void a_missing_or_unreadable_file_and_a_bad_concurrency_are_one_line_exit_2() throws Exception {
        Path directory = Files.createTempDirectory("import-dir");
        for (List<String> args : List.of(
                List.of("integrations", "import", "--file", directory.resolve("missing.jsonl").toString()),
                List.of("integrations", "import", "--file", directory.toString()),
                List.of("integrations", "import"),
                List.of("integrations", "import", "--file", write(mixedFile()).toString(), "--concurrency", "0"))) {
            CliRun.Result result = cli.run(args.toArray(String[]::new));
            assertThat(result.exitCode()).as(args + "\n" + result).isEqualTo(ExitCodes.USAGE);
            assertThat(result.stderr().strip().lines()).as(args + "\n" + result).hasSize(1);
            assertThat(result.stderr()).startsWith("error: ").doesNotContain("\tat ");
            assertThat(result.stdout()).isEmpty();
        }
        assertThat(cli.run("integrations", "import", "--file", directory.resolve("missing.jsonl").toString()).stderr())
                .contains("missing.jsonl: no such file");
        assertThat(count()).isZero();
    }

    @Test
    void at_a_terminal_a_progress_line_goes_to_stderr() throws Exception {
        Map<String, String> env = Map.of(
                "CMIS_DATABASE_URL", TestPostgres.jdbcUrl(database),
                "CMIS_DATABASE_USER", "postgres",
                "CMIS_ENCRYPTION_KEYS", TestKeys.K1,
                "CMIS_DATA_DIR", Files.createTempDirectory("cmis-import-tty").toString());
        Path file = write(List.of(line("google", org, GOOGLE_ACCESS, "g1", ""), line("meta", org, META_FIRST, "m1", "")));

        CliRun.Result result = CliProcess.startOnTerminal(env, "integrations", "import", "--file", file.toString())
                .finish();

        assertThat(result.exitCode()).as(result.toString()).isZero();
        assertThat(result.stdout()).contains("\r\033[K[").contains("/2 lines").contains("2 lines: 2 created");
        assertNoTokenIn(result.stdout());
    }

    private String tokenOf(String platform, String which) {
        return raw.withHandle(h -> h.createQuery("SELECT external_account_id FROM integrations WHERE platform = :p")
                .bind("p", platform).mapTo(String.class).list()).stream()
                .map(account -> tokenOf(platform, account, which)).findFirst().orElseThrow();
    }

    private String tokenOf(String platform, String account, String which) {
        Map<String, Object> row = raw.withHandle(h -> h.createQuery("""
                        SELECT id, org_id, access_token_enc, refresh_token_enc FROM integrations
                         WHERE platform = :p AND external_account_id = :a""")
                .bind("p", platform).bind("a", account).mapToMap().one());
        TokenVault vault = new TokenVault(Keyring.parse(TestKeys.K1), new SecureRandom());
        UUID orgId = (UUID) row.get("org_id");
        UUID id = (UUID) row.get("id");
        return "access".equals(which)
                ? vault.decrypt((String) row.get("access_token_enc"), SecretColumns.INTEGRATION_ACCESS_TOKEN.slot(orgId, id)).reveal()
                : vault.decrypt((String) row.get("refresh_token_enc"), SecretColumns.INTEGRATION_REFRESH_TOKEN.slot(orgId, id)).reveal();
    }

    private long count() {
        return raw.withHandle(h -> h.createQuery("SELECT count(*) FROM integrations").mapTo(Long.class).one());
    }

    /** No token, and no 10 characters of one, in the text. */
    static void assertNoTokenIn(String text) {
        for (String token : TOKENS) {
            for (int i = 0; i + 10 <= token.length(); i++) {
                String piece = token.substring(i, i + 10);
                assertThat(text).as("a piece of a token (%s) leaked", piece).doesNotContain(piece);
            }
        }
    }

    private static Path write(List<String> lines) throws java.io.IOException {
        Path file = Files.createTempFile("import-", ".jsonl");
        Files.write(file, lines);
        return file;
    }
}
