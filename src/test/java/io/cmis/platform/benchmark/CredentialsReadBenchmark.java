package io.cmis.platform.benchmark;

import io.cmis.platform.cli.Json;
import io.cmis.platform.support.CliProcess;
import io.cmis.platform.support.CliRun;
import io.cmis.platform.support.OAuthUser;
import io.cmis.platform.support.PlatformTestBed;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Latency of {@code POST /api/v1/integrations/{id}/credentials} without a refresh, warm: the packaged
 * code as a real {@code serve} process on Debian's PostgreSQL 15 through PgBouncer (transaction mode),
 * loaded with wrk (2 threads (1 for one connection), {@value #CONNECTIONS} connections, {@value #WARM_UP_SECONDS} s warm-up, then
 * {@value #RUNS} runs of {@value #SECONDS} s). Each read is three short transactions: the key, the token,
 * the audit row (a commit). Needs wrk ({@code apt-get install -y wrk}).
 * Run: {@code mvn -B test -Dtest=CredentialsReadBenchmark -Dbenchmark=true -Djacoco.skip=true -Dsurefire.failIfNoSpecifiedTests=false}
 */
@EnabledIfSystemProperty(named = "benchmark", matches = "true")
class CredentialsReadBenchmark {
    private static final int CONNECTIONS = Integer.getInteger("connections", 8);
    private static final int SECONDS = Integer.getInteger("seconds", 10);
    private static final int WARM_UP_SECONDS = Integer.getInteger("warmup", 10);
    private static final int RUNS = Integer.getInteger("runs", 3);
    private static final Pattern LISTENING = Pattern.compile("listening on (http://127\\.0\\.0\\.1:\\d+)");

    @Test
    void credentials_read_latency_without_a_refresh_on_postgresql_15_through_pgbouncer() throws Exception {
        try (PlatformTestBed bed = PlatformTestBed.onProductionDatabase(true)) {
            bed.clock.set(Instant.now()); // serve runs on the real clock: the token is valid for the next hour
            String org = UUID.randomUUID().toString();
            CliRun cli = bed.cli();
            String integration = OAuthUser.connect(cli, org, "google").get("id").asText();
            String key = Json.MAPPER.readTree(cli.run("--json", "api-keys", "create", "--org", org, "--name", "bench",
                    "--scopes", "credentials:read").ok().stdout()).get("key").asText();
            int refreshesBefore = bed.sandbox.google().requests("/token");
            Path dir = Files.createTempDirectory("cmis-credentials-bench", PosixFilePermissions.asFileAttribute(
                    PosixFilePermissions.fromString("rwx------")));
            Path script = dir.resolve("credentials.lua");
            Files.writeString(script, "wrk.method = \"POST\"\nwrk.headers[\"Authorization\"] = \"Bearer " + key + "\"\n");
            CliProcess serve = CliProcess.start(bed.processEnvironment(), "serve", "--port", "0", "--workers", "0");
            try {
                serve.awaitOutput("listening on");
                Matcher m = LISTENING.matcher(serve.output());
                assertThat(m.find()).isTrue();
                String url = m.group(1) + "/api/v1/integrations/" + integration + "/credentials";
                wrk(script, url, WARM_UP_SECONDS);
                List<String> results = new ArrayList<>();
                for (int run = 1; run <= RUNS; run++) {
                    String out = wrk(script, url, SECONDS);
                    assertThat(out).doesNotContain("Non-2xx");
                    results.add("run " + run + ": " + figure(out, "Requests/sec:\\s+([\\d.]+)") + " reads/s, p50 "
                            + figure(out, "\\s50%\\s+(\\S+)") + ", p99 " + figure(out, "\\s99%\\s+(\\S+)"));
                }
                assertThat(bed.sandbox.google().requests("/token")).as("no refresh during the runs")
                        .isEqualTo(refreshesBefore);
                long reads = bed.jdbi.withHandle(h -> h.createQuery(
                        "SELECT count(*) FROM cmis_platform.credential_reads WHERE NOT refreshed AND outcome = 'served'")
                        .mapTo(Long.class).one());
                System.out.println("credentials read, " + CONNECTIONS + " connections, PostgreSQL 15 + PgBouncer: "
                        + String.join("; ", results) + "; " + reads + " reads recorded, none refreshed");
            } finally {
                serve.kill();
                Files.deleteIfExists(script);
                Files.deleteIfExists(dir);
            }
        }
    }

    private static String wrk(Path script, String url, int seconds) throws Exception {
        Process wrk = new ProcessBuilder("wrk", "-t" + Math.min(2, CONNECTIONS), "-c" + CONNECTIONS, "-d" + seconds + "s", "--latency",
                "-s", script.toString(), url).redirectErrorStream(true).start();
        String out = new String(wrk.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertThat(wrk.waitFor()).as(out).isZero();
        return out;
    }

    private static String figure(String out, String regex) {
        Matcher m = Pattern.compile(regex).matcher(out);
        return m.find() ? m.group(1) : "?";
    }
}
