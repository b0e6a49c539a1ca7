package io.cmis.platform.benchmark;

import io.cmis.platform.cli.Json;
import io.cmis.platform.support.CliProcess;
import io.cmis.platform.support.CliRun;
import io.cmis.platform.support.OAuthUser;
import io.cmis.platform.support.PlatformTestBed;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What the proxy costs: {@code GET /api/v1/proxy/{integration}/graph/me} through a real {@code serve}
 * process (Debian's PostgreSQL 15 through PgBouncer in transaction mode) against {@code GET /v25.0/me}
 * of the same loopback Meta simulator called directly with the same token, both loaded with wrk in one
 * run (2 threads, {@value #CONNECTIONS} connections, {@value #WARM_UP_SECONDS} s warm-up of each, then
 * {@value #RUNS} runs of {@value #SECONDS} s of each, alternated). Prints p50, p99 and throughput of
 * both, the overhead (proxied − direct) and the ratio of throughputs, and the database transactions
 * per proxied request (PostgreSQL's {@code xact_commit + xact_rollback} of the bed's database over the
 * run, divided by wrk's requests: every statement outside an explicit transaction is one). Needs wrk
 * ({@code apt-get install -y wrk}). Not a timed test: it asserts only that every answer was a 200 and
 * that every proxied call reached the simulator.
 * Run: {@code mvn -B test -Dtest=ProxyOverheadBenchmark -Dbenchmark=true -Djacoco.skip=true -Dsurefire.failIfNoSpecifiedTests=false}
 */
@EnabledIfSystemProperty(named = "benchmark", matches = "true")
class ProxyOverheadBenchmark {
    private static final int CONNECTIONS = Integer.getInteger("connections", 32);
    private static final int SECONDS = Integer.getInteger("seconds", 10);
    private static final int WARM_UP_SECONDS = Integer.getInteger("warmup", 10);
    private static final int RUNS = Integer.getInteger("runs", 3);
    /** With -Dtrace=true: the statements PostgreSQL ran for a few proxied requests, from its log. */
    private static final boolean TRACE = Boolean.getBoolean("trace");
    private static final Pattern LISTENING = Pattern.compile("listening on (http://127\\.0\\.0\\.1:\\d+)");

    /** One wrk run's figures; latencies in ms. */
    private record Run(double perSecond, double p50, double p99, long requests, String raw) {
        static Run of(String out) {
            return new Run(Double.parseDouble(figure(out, "Requests/sec:\\s+([\\d.]+)")), millis(figure(out, "\\s50%\\s+(\\S+)")),
                    millis(figure(out, "\\s99%\\s+(\\S+)")), Long.parseLong(figure(out, "(\\d+) requests in")), out);
        }

        @Override
        public String toString() {
            return String.format(Locale.ROOT, "%.0f req/s, p50 %.2f ms, p99 %.2f ms", perSecond, p50, p99);
        }
    }

    @Test
    void proxy_overhead_against_the_same_simulator_called_directly_on_postgresql_15_through_pgbouncer() throws Exception {
        try (PlatformTestBed bed = PlatformTestBed.onProductionDatabase(true)) {
            bed.clock.set(Instant.now()); // serve runs on the real clock
            String org = UUID.randomUUID().toString();
            CliRun cli = bed.cli();
            String integration = OAuthUser.connect(cli, org, "meta").get("id").asText();
            String key = Json.MAPPER.readTree(cli.run("--json", "api-keys", "create", "--org", org, "--name", "bench",
                    "--scopes", "proxy").ok().stdout()).get("key").asText();
            // The direct calls carry what the proxy attaches: the same token and its appsecret_proof.
            var credentials = Json.MAPPER.readTree(cli.run("--json", "tokens", "get", integration).ok().stdout());
            String token = credentials.get("access_token").asText();
            String proof = credentials.path("extra").path("appsecret_proof").asText();
            Path dir = Files.createTempDirectory("cmis-proxy-bench", PosixFilePermissions.asFileAttribute(
                    PosixFilePermissions.fromString("rwx------")));
            Path proxied = dir.resolve("proxied.lua");
            Files.writeString(proxied, "wrk.headers[\"Authorization\"] = \"Bearer " + key + "\"\n");
            Path direct = dir.resolve("direct.lua");
            Files.writeString(direct, "wrk.headers[\"Authorization\"] = \"Bearer " + token + "\"\n");
            String directUrl = bed.sandbox.meta().baseUrl() + "/v25.0/me?appsecret_proof=" + proof;
            int metaCallsBefore = bed.sandbox.meta().requests("/v25.0/me");
            CliProcess serve = CliProcess.start(bed.processEnvironment(), "serve", "--port", "0", "--workers", "0");
            try {
                serve.awaitOutput("listening on");
                Matcher m = LISTENING.matcher(serve.output());
                assertThat(m.find()).isTrue();
                String proxyUrl = m.group(1) + "/api/v1/proxy/" + integration + "/graph/me";
                String load = loadAverage();
                wrk(direct, directUrl, WARM_UP_SECONDS);
                wrk(proxied, proxyUrl, WARM_UP_SECONDS);
                List<String> lines = new ArrayList<>();
                long proxiedRequests = 0;
                long transactions = 0;
                for (int run = 1; run <= RUNS; run++) {
                    Run d = Run.of(wrk(direct, directUrl, SECONDS));
                    long before = transactions(bed);
                    Run p = Run.of(wrk(proxied, proxyUrl, SECONDS));
                    long after = transactions(bed);
                    proxiedRequests += p.requests();
                    transactions += after - before;
                    // The yardstick: one round trip through the same PgBouncer, a one-row primary-key read.
                    double ceiling = io.cmis.platform.support.ProductionPostgres.get().pgbench(bed.database, "SELECT relname FROM pg_class WHERE oid = 1259;\n",
                            CONNECTIONS, SECONDS, true);
                    lines.add(String.format(Locale.ROOT, "run %d: direct %s | proxied %s | overhead p50 %+.2f ms, p99 %+.2f ms, "
                                    + "throughput %.2f× direct | %.2f transactions per proxied request | pgbench one-row "
                                    + "read through PgBouncer %.0f tps: proxied %.2f× of it", run, d, p,
                            p.p50() - d.p50(), p.p99() - d.p99(), p.perSecond() / d.perSecond(),
                            (after - before) / (double) p.requests(), ceiling, p.perSecond() / ceiling));
                }
                if (TRACE) {
                    trace(bed, proxyUrl, key);
                }
                int metaCalls = bed.sandbox.meta().requests("/v25.0/me") - metaCallsBefore;
                System.out.println("proxy overhead, Meta GET /me, " + CONNECTIONS + " connections, PostgreSQL 15 + PgBouncer, "
                        + Runtime.getRuntime().availableProcessors() + " cores, load average " + load + " → "
                        + loadAverage() + ":\n  " + String.join("\n  ", lines) + "\n  " + metaCalls
                        + " calls reached the simulator; " + String.format(Locale.ROOT, "%.2f", transactions / (double) proxiedRequests)
                        + " database transactions per proxied request over all runs");
            } finally {
                serve.kill();
                Files.deleteIfExists(proxied);
                Files.deleteIfExists(direct);
                Files.deleteIfExists(dir);
            }
        }
    }

    /**
     * Committed and rolled-back transactions of the bed's database so far. PostgreSQL's backends report
     * them at most once a second, so a run's delta is off by about a second's worth at either end.
     */
    private static long transactions(PlatformTestBed bed) {
        return bed.jdbi.withHandle(h -> {
            h.execute("SELECT pg_stat_clear_snapshot()");
            return h.createQuery("SELECT xact_commit + xact_rollback FROM pg_stat_database WHERE datname = current_database()")
                    .mapTo(Long.class).one();
        });
    }

    /**
     * Logs every statement of this JVM's own PostgreSQL 15 cluster (ProductionPostgres starts one per
     * JVM) while three proxied requests are made one after the other, and prints what the serve ran
     * between two markers: where the round trips of a request go.
     */
    private static void trace(PlatformTestBed bed, String proxyUrl, String key) throws Exception {
        bed.jdbi.useHandle(h -> {
            h.execute("ALTER SYSTEM SET log_statement = 'all'");
            h.execute("SELECT pg_reload_conf()");
        });
        Thread.sleep(500); // the reload reaches every backend asynchronously
        String data = bed.jdbi.withHandle(h -> h.createQuery("SHOW data_directory").mapTo(String.class).one());
        Path log = Path.of(data).getParent().resolve("server.log");
        bed.jdbi.useHandle(h -> h.execute("SELECT 'proxy-trace-begin'"));
        java.net.http.HttpClient client = java.net.http.HttpClient.newHttpClient();
        for (int i = 0; i < 3; i++) {
            var answer = client.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(proxyUrl))
                    .header("Authorization", "Bearer " + key).build(), java.net.http.HttpResponse.BodyHandlers.ofString());
            assertThat(answer.statusCode()).isEqualTo(200);
        }
        bed.jdbi.useHandle(h -> {
            h.execute("SELECT 'proxy-trace-end'");
            h.execute("ALTER SYSTEM RESET log_statement");
            h.execute("SELECT pg_reload_conf()");
        });
        List<String> lines = Files.readAllLines(log);
        int from = -1;
        int to = lines.size();
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).contains("proxy-trace-begin") && !lines.get(i).contains("ALTER")) {
                from = i;
            } else if (lines.get(i).contains("proxy-trace-end")) {
                to = i;
            }
        }
        System.out.println("statements of 3 proxied requests:\n  " + String.join("\n  ", lines.subList(from + 1, to)));
    }

    private static String loadAverage() throws Exception {
        String[] parts = Files.readString(Path.of("/proc/loadavg")).split(" ");
        return parts[0] + " " + parts[1] + " " + parts[2];
    }

    private static String wrk(Path script, String url, int seconds) throws Exception {
        Process wrk = new ProcessBuilder("wrk", "-t" + Math.min(2, CONNECTIONS), "-c" + CONNECTIONS, "-d" + seconds + "s",
                "--latency", "-s", script.toString(), url).redirectErrorStream(true).start();
        String out = new String(wrk.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(wrk.waitFor()).as(out).isZero();
        assertThat(out).as(url.replaceAll("\\?.*", "")).doesNotContain("Non-2xx").doesNotContain("Socket errors");
        return out;
    }

    private static double millis(String wrkDuration) {
        Matcher m = Pattern.compile("([\\d.]+)(us|ms|s)").matcher(wrkDuration);
        assertThat(m.matches()).as(wrkDuration).isTrue();
        double value = Double.parseDouble(m.group(1));
        return switch (m.group(2)) {
            case "us" -> value / 1000;
            case "s" -> value * 1000;
            default -> value;
        };
    }

    private static String figure(String out, String regex) {
        Matcher m = Pattern.compile(regex).matcher(out);
        assertThat(m.find()).as(regex + " in " + out).isTrue();
        return m.group(1);
    }
}
