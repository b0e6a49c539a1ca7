package io.cmis.platform.benchmark;

import com.fasterxml.jackson.databind.JsonNode;
import io.cmis.platform.cli.Json;
import io.cmis.platform.support.CliRun;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code integrations import} of 10,000 lines (Google tokens with a refresh token, 100 orgs) through
 * the real command line, in one process, on the tool's own embedded PostgreSQL with its durable
 * settings (fsync and synchronous commit on): lines per second at each {@code --concurrency}, for
 * new integrations, then the same file again (every line an update).
 * Run: {@code mvn -B test -Dtest=ImportBenchmark -Dbenchmark=true -Djacoco.skip=true -Dsurefire.failIfNoSpecifiedTests=false}
 */
@EnabledIfSystemProperty(named = "benchmark", matches = "true")
class ImportBenchmark {
    private static final int LINES = 10_000;

    @Test
    void import_rate() throws Exception {
        CliRun cli = CliRun.withoutDatabase();
        cli.run("integrations", "list").ok(); // creates and migrates the embedded database, off the clock
        int round = 0;
        for (int concurrency : List.of(1, 4, 8)) {
            Path file = file(round++);
            for (String pass : List.of("created", "updated")) {
                long start = System.nanoTime();
                CliRun.Result result = cli.run("--json", "integrations", "import", "--file", file.toString(),
                        "--concurrency", String.valueOf(concurrency));
                double seconds = (System.nanoTime() - start) / 1e9;
                JsonNode summary = Json.MAPPER.readTree(result.ok().stdout());
                assertThat(summary.get(pass).asInt()).as(result.toString()).isEqualTo(LINES);
                System.out.printf("%d lines, concurrency %d, every line %s: %.1f s = %.0f lines/s (the whole command,"
                        + " embedded database start included)%n", LINES, concurrency, pass, seconds, LINES / seconds);
            }
        }
    }

    /** 10,000 lines for accounts no earlier round used. */
    private static Path file(int round) throws java.io.IOException {
        List<UUID> orgs = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            orgs.add(UUID.randomUUID());
        }
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < LINES; i++) {
            lines.add("{\"platform\":\"google\",\"org_id\":\"" + orgs.get(i % orgs.size()) + "\","
                    + "\"access_token\":\"ya29.a0AfB_byC" + UUID.randomUUID().toString().replace("-", "") + "\","
                    + "\"refresh_token\":\"1//0g" + UUID.randomUUID().toString().replace("-", "") + "\","
                    + "\"expires_in\":3599,\"external_id\":\"r" + round + "-acct-" + i + "\","
                    + "\"scopes\":[\"https://www.googleapis.com/auth/adwords\"],\"account_name\":\"Account " + i + "\"}");
        }
        Path file = Files.createTempFile("import-bench-", ".jsonl");
        Files.write(file, lines);
        return file;
    }
}
