package io.cmis.platform.concurrent;

import com.fasterxml.jackson.databind.JsonNode;
import io.cmis.platform.cli.Json;
import io.cmis.platform.crypto.Keyring;
import io.cmis.platform.crypto.SecretColumns;
import io.cmis.platform.crypto.TokenVault;
import io.cmis.platform.support.CliProcess;
import io.cmis.platform.support.CliRun;
import io.cmis.platform.support.TestKeys;
import io.cmis.platform.support.TestPostgres;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code integrations import} killed with SIGKILL half-way through a large file, or losing its
 * database half-way, then run again: every line is stored exactly once, and no row was left
 * without its token.
 */
class KilledImportTest {
    private static final int LINES = 20_000;

    @Test
    void an_import_killed_half_way_and_run_again_stores_every_line_exactly_once() throws Exception {
        String database = TestPostgres.freshDatabase();
        Jdbi raw = TestPostgres.superuser(database);
        List<String> orgs = List.of(UUID.randomUUID().toString(), UUID.randomUUID().toString());
        Path file = file(orgs.get(0), orgs.get(1));
        Map<String, String> env = Map.of(
                "CMIS_DATABASE_URL", TestPostgres.jdbcUrl(database),
                "CMIS_DATABASE_USER", "postgres",
                "CMIS_ENCRYPTION_KEYS", TestKeys.K1,
                "CMIS_DATA_DIR", Files.createTempDirectory("cmis-killed-import").toString());

        CliProcess first = CliProcess.start(env, "integrations", "import", "--file", file.toString());
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (count(raw, "true") < 200 && first.process().isAlive() && System.nanoTime() < deadline) {
            Thread.sleep(20); // waiting for the child to be inside the import, not for time to pass
        }
        first.kill();
        long stored = count(raw, "true");
        assertThat(stored).as("killed half-way: " + first.output()).isBetween(200L, LINES - 1L);
        assertThat(count(raw, "access_token_enc IS NULL OR refresh_token_enc IS NULL OR token_kind IS NULL "
                + "OR scopes IS NULL")).as("no half-written row").isZero();

        CliRun.Result again = CliRun.against(database).run("--json", "integrations", "import", "--file", file.toString());

        assertThat(again.exitCode()).as(again.toString()).isZero();
        JsonNode summary = Json.MAPPER.readTree(again.stdout());
        assertThat(summary.get("lines").asInt()).isEqualTo(LINES);
        assertThat(summary.get("failed").asInt()).isZero();
        assertThat(summary.get("updated").asLong()).as("what the killed run stored").isEqualTo(stored);
        assertThat(summary.get("created").asLong()).isEqualTo(LINES - stored);
        assertThat(count(raw, "true")).isEqualTo(LINES);
        long accounts = raw.withHandle(h -> h.createQuery(
                "SELECT count(DISTINCT external_account_id) FROM integrations").mapTo(Long.class).one());
        assertThat(accounts).isEqualTo(LINES);
        assertThat(count(raw, "access_token_enc IS NULL OR refresh_token_enc IS NULL")).isZero();
        TokenVault vault = new TokenVault(Keyring.parse(TestKeys.K1), new SecureRandom());
        for (int i : List.of(0, 1, LINES / 2, LINES - 1)) {
            Map<String, Object> row = raw.withHandle(h -> h.createQuery(
                            "SELECT id, org_id, access_token_enc FROM integrations WHERE external_account_id = :a")
                    .bind("a", "acct-" + i).mapToMap().one());
            assertThat(row.get("org_id").toString()).isEqualTo(orgs.get(i % 2));
            assertThat(vault.decrypt((String) row.get("access_token_enc"), SecretColumns.INTEGRATION_ACCESS_TOKEN
                    .slot((UUID) row.get("org_id"), (UUID) row.get("id"))).reveal()).isEqualTo("ya29.line" + i);
        }
    }

    @Test
    void an_import_that_loses_the_database_says_so_in_one_line_exits_1_and_the_next_run_finishes() throws Exception {
        String database = TestPostgres.freshDatabase();
        Jdbi raw = TestPostgres.superuser(database);
        Jdbi admin = TestPostgres.superuser("postgres");
        Path file = file(UUID.randomUUID().toString());
        CliRun cli = CliRun.against(database);
        java.util.concurrent.ExecutorService thread = java.util.concurrent.Executors.newSingleThreadExecutor();
        try {
            java.util.concurrent.Future<CliRun.Result> running = thread.submit(() ->
                    cli.run("integrations", "import", "--file", file.toString()));
            long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
            while (count(raw, "true") < 200 && !running.isDone() && System.nanoTime() < deadline) {
                Thread.sleep(20); // waiting for the import to be under way, not for time to pass
            }
            // The database goes away: every session ended, no new one accepted.
            admin.useHandle(h -> {
                h.execute("ALTER DATABASE " + database + " ALLOW_CONNECTIONS false");
                h.createQuery("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = :db")
                        .bind("db", database).mapTo(Long.class).one();
            });
            CliRun.Result lost;
            try {
                // Going on line by line would wait out the pool's 5 s connection timeout for every line.
                lost = running.get(60, java.util.concurrent.TimeUnit.SECONDS);
            } finally {
                admin.useHandle(h -> h.execute("ALTER DATABASE " + database + " ALLOW_CONNECTIONS true"));
            }

            assertThat(lost.exitCode()).as(lost.toString()).isEqualTo(1);
            // (the pool's own WARN lines about broken connections may precede it, as for every command)
            assertThat(lost.stderr().lines().filter(l -> l.startsWith("error: "))).as(lost.toString()).hasSize(1);
            assertThat(lost.stderr()).contains("lost the database mid-run").doesNotContain("\tat ");
            assertThat(lost.stdout()).as("no line is blamed for the outage").isEmpty();
            long stored = count(raw, "true");
            assertThat(stored).isBetween(200L, LINES - 1L);
            assertThat(count(raw, "access_token_enc IS NULL OR refresh_token_enc IS NULL")).isZero();

            JsonNode again = Json.MAPPER.readTree(cli.run("--json", "integrations", "import", "--file",
                    file.toString()).ok().stdout());

            assertThat(again.get("updated").asLong()).isEqualTo(stored);
            assertThat(again.get("created").asLong()).isEqualTo(LINES - stored);
            assertThat(count(raw, "true")).isEqualTo(LINES);
        } finally {
            thread.shutdownNow();
        }
    }

    private static Path file(String... orgs) throws java.io.IOException {
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < LINES; i++) {
            lines.add("{\"platform\":\"google\",\"org_id\":\"" + orgs[i % orgs.length] + "\",\"access_token\":\"ya29.line" + i
                    + "\",\"refresh_token\":\"1//0refresh" + i + "\",\"expires_in\":3600,\"external_id\":\"acct-" + i
                    + "\",\"scopes\":[\"https://www.googleapis.com/auth/adwords\"]}");
        }
        Path file = Files.createTempFile("killed-import-", ".jsonl");
        Files.write(file, lines);
        return file;
    }

    private static long count(Jdbi raw, String condition) {
        return raw.withHandle(h -> h.createQuery("SELECT count(*) FROM integrations WHERE " + condition)
                .mapTo(Long.class).one());
    }
}
