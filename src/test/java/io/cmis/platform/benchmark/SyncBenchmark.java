package io.cmis.platform.benchmark;

import com.fasterxml.jackson.databind.JsonNode;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.cmis.platform.cli.Json;
import io.cmis.platform.crypto.Keyring;
import io.cmis.platform.crypto.Secret;
import io.cmis.platform.crypto.SecretColumns;
import io.cmis.platform.crypto.TokenVault;
import io.cmis.platform.integrations.Integration;
import io.cmis.platform.integrations.IntegrationFilter;
import io.cmis.platform.integrations.IntegrationService;
import io.cmis.platform.support.CliProcess;
import io.cmis.platform.support.CliRun;
import io.cmis.platform.support.PlatformTestBed;
import io.cmis.platform.support.TestKeys;
import io.cmis.platform.support.TestPostgres;
import io.cmis.platform.sync.SyncOutcome;
import io.cmis.platform.sync.SyncService;
import io.cmis.platform.tenancy.Tenancy;
import io.cmis.platform.tokens.AccessTokens;
import io.cmis.platform.tokens.TokenRefresher;
import io.cmis.platform.tokens.TokenSettings;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.postgres.PostgresPlugin;
import org.jdbi.v3.core.statement.PreparedBatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

import java.security.SecureRandom;
import java.time.Duration;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * 1,000 TikTok advertiser integrations, 20 ms latency per API call (two calls each): wall time at
 * concurrency 8 against the ideal bound (calls × latency / concurrency) and a sequential run, each as
 * one {@code sync} process with the JVM flags of {@code bin/cmis-platform}, less that process's start-up.
 * Run: {@code mvn -B test -Dtest=SyncBenchmark -Dbenchmark=true -Djacoco.skip=true -Dsurefire.failIfNoSpecifiedTests=false}
 */
@EnabledIfSystemProperty(named = "benchmark", matches = "true")
class SyncBenchmark {
    private static final int INTEGRATIONS = Integer.getInteger("integrations", 1_000);
    private static final int CONCURRENCY = 8;
    private static final Duration LATENCY = Duration.ofMillis(Long.getLong("latencyMs", 20));

    @Test
    void sync_wall_time() throws Exception {
        try (PlatformTestBed bed = new PlatformTestBed(); HikariDataSource pool = pool(bed.database)) {
            TokenVault vault = new TokenVault(Keyring.parse(TestKeys.K1), new SecureRandom());
            seed(bed, vault);
            bed.sandbox.tiktok().latency(LATENCY);
            double ideal = 2.0 * INTEGRATIONS * LATENCY.toMillis() / 1000.0 / CONCURRENCY;

            // Steady state: one warm-up pass so the JIT has compiled the path, then the measured passes.
            Jdbi jdbi = Jdbi.create(pool).installPlugin(new PostgresPlugin());
            Tenancy tenancy = new Tenancy(jdbi);
            TokenSettings settings = TokenSettings.from(bed.config);
            AccessTokens tokens = new AccessTokens(tenancy, vault, bed.registry(),
                    new TokenRefresher(tenancy, vault, bed.registry(), settings, bed.clock), settings, bed.clock);
            List<Integration> all = new IntegrationService(tenancy, vault, bed.clock).list(IntegrationFilter.all());
            SyncService parallelService = new SyncService(tenancy, java.time.Duration.ofMinutes(2), "benchmark", vault, bed.registry(), tokens, bed.clock,
                    CONCURRENCY);
            inProcess(bed, parallelService, all, "warm-up, concurrency " + CONCURRENCY);
            double parallel = Profiled.run(() -> inProcess(bed, parallelService, all, "concurrency " + CONCURRENCY));
            // The sequential comparison takes calls x 20 ms (400 s at 10,000): -Dsequential=false skips it.
            double sequential = Boolean.parseBoolean(System.getProperty("sequential", "true"))
                    ? inProcess(bed, new SyncService(tenancy, java.time.Duration.ofMinutes(2), "benchmark", vault,
                    bed.registry(), tokens, bed.clock, 1), all, "sequential") : Double.NaN;

            // Cold: one sync process with the JVM flags of bin/cmis-platform, as cron runs it, less its start-up.
            Map<String, String> env = bed.processEnvironment();
            double startup = process(bed, env, 0, "--platform", "meta");
            double cold = process(bed, env, INTEGRATIONS) - startup;

            System.out.printf("ideal bound %.2f s%n", ideal);
            System.out.printf("steady state: concurrency %d took %.2f s = %.2fx the bound; sequential %.2f s = %.1fx "
                    + "slower%n", CONCURRENCY, parallel, parallel / ideal, sequential, sequential / parallel);
            System.out.printf("cold process: concurrency %d took %.2f s = %.2fx the bound (start-up of %.2f s "
                    + "subtracted); %.1fx faster than the steady-state sequential run%n", CONCURRENCY, cold,
                    cold / ideal, startup, sequential / cold);
        }
    }

    private static double inProcess(PlatformTestBed bed, SyncService service, List<Integration> all, String label) {
        int before = bed.sandbox.tiktok().requests();
        long start = System.nanoTime();
        List<SyncOutcome> outcomes = service.sync(all, EnumSet.allOf(SyncService.Part.class), o -> { });
        double seconds = (System.nanoTime() - start) / 1e9;
        assertThat(outcomes).allSatisfy(o -> assertThat(o.outcome()).isEqualTo("synced"));
        report(bed, label + " (in process)", outcomes.size(), seconds, bed.sandbox.tiktok().requests() - before);
        return seconds;
    }

    /** Wall time of one {@code sync} process, in seconds. */
    private static double process(PlatformTestBed bed, Map<String, String> env, int expected, String... selection)
            throws Exception {
        Map<String, String> withConcurrency = new HashMap<>(env);
        withConcurrency.put("CMIS_SYNC_CONCURRENCY", Integer.toString(CONCURRENCY));
        List<String> args = new java.util.ArrayList<>(List.of("--json", "sync"));
        args.addAll(List.of(selection));
        int before = bed.sandbox.tiktok().requests();
        long start = System.nanoTime();
        CliRun.Result result = CliProcess.start(withConcurrency, args.toArray(String[]::new)).finish();
        double seconds = (System.nanoTime() - start) / 1e9;
        int calls = bed.sandbox.tiktok().requests() - before;
        assertThat(result.exitCode()).as(result.stdout()).isZero();
        JsonNode summary = Json.MAPPER.readTree(result.stdout().substring(result.stdout().indexOf('{')));
        assertThat(summary.get("succeeded").asInt()).isEqualTo(expected);
        report(bed, "one sync process, concurrency " + CONCURRENCY, expected, seconds, calls);
        return seconds;
    }

    private static void report(PlatformTestBed bed, String label, int integrations, double seconds, int calls) {
        Double callMs = bed.jdbi.withHandle(h -> h.createQuery("""
                SELECT avg(duration_ms)::float8 FROM cmis_platform.platform_api_calls
                WHERE id > (SELECT coalesce(max(id), 0) FROM cmis_platform.platform_api_calls) - :calls
                """).bind("calls", calls).mapTo(Double.class).one());
        System.out.printf("%s: %d integrations in %.2f s, %d API calls taking %.1f ms on average%n", label,
                integrations, seconds, calls, callMs == null ? 0.0 : callMs);
    }

    private static HikariDataSource pool(String database) {
        HikariConfig config = new HikariConfig();
        config.setDataSource(TestPostgres.dataSource(database, "postgres"));
        config.setMaximumPoolSize(CONCURRENCY * 2 + 4);
        return new HikariDataSource(config);
    }

    private static void seed(PlatformTestBed bed, TokenVault vault) {
        bed.jdbi.useHandle(h -> {
            PreparedBatch batch = h.prepareBatch("""
                    INSERT INTO cmis_platform.integrations (id, org_id, platform, external_account_id, token_kind,
                        access_token_enc)
                    VALUES (:id, :org, 'tiktok', :account, 'advertiser', :access)
                    """);
            for (int i = 0; i < INTEGRATIONS; i++) {
                UUID id = UUID.randomUUID();
                UUID org = new UUID(0, i % 50 + 1);
                batch.bind("id", id).bind("org", org).bind("account", "adv-" + i)
                        .bind("access", vault.encrypt(Secret.of(bed.sandbox.tiktok().issueAdvertiserToken()),
                                SecretColumns.INTEGRATION_ACCESS_TOKEN.slot(org, id))).add();
            }
            batch.execute();
        });
    }

}
