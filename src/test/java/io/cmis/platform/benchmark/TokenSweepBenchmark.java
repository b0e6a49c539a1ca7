package io.cmis.platform.benchmark;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.cmis.platform.crypto.Keyring;
import io.cmis.platform.crypto.Secret;
import io.cmis.platform.crypto.SecretColumns;
import io.cmis.platform.crypto.TokenVault;
import io.cmis.platform.support.PlatformTestBed;
import io.cmis.platform.support.TestKeys;
import io.cmis.platform.support.TestPostgres;
import io.cmis.platform.tenancy.Tenancy;
import io.cmis.platform.tokens.RefreshOutcome;
import io.cmis.platform.tokens.TokenRefresher;
import io.cmis.platform.tokens.TokenSettings;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.PreparedBatch;
import org.jdbi.v3.postgres.PostgresPlugin;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

import java.security.SecureRandom;
import java.sql.Timestamp;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * 10,000 due Google integrations, 20 ms platform latency per refresh: refreshes per second and
 * platform calls made (must be exactly 10,000).
 * Run: {@code mvn -B test -Dtest=TokenSweepBenchmark -Dbenchmark=true -Djacoco.skip=true -Dsurefire.failIfNoSpecifiedTests=false}
 */
@EnabledIfSystemProperty(named = "benchmark", matches = "true")
class TokenSweepBenchmark {
    private static final int INTEGRATIONS = Integer.getInteger("integrations", 10_000);
    private static final int CONCURRENCY = Integer.getInteger("concurrency", 16);
    /** Room for a sweep's full overlap: 1.5 x its concurrency in hand, plus the two the process keeps. */
    private static final int POOL = CONCURRENCY + (CONCURRENCY + 1) / 2 + 2;

    @Test
    void sweep_throughput() throws Exception {
        try (PlatformTestBed bed = new PlatformTestBed(Map.of("CMIS_TOKENS_CONCURRENCY", String.valueOf(CONCURRENCY),
                "CMIS_DATABASE_POOL_SIZE", String.valueOf(POOL)));
             HikariDataSource pool = pool(bed.database)) {
            Jdbi jdbi = Jdbi.create(pool).installPlugin(new PostgresPlugin());
            TokenVault vault = new TokenVault(Keyring.parse(TestKeys.K1), new SecureRandom());
            seed(bed, vault);
            bed.sandbox.google().latency(Duration.ofMillis(20));
            Tenancy tenancy = new Tenancy(jdbi);
            TokenRefresher refresher = new TokenRefresher(tenancy, vault, bed.registry(), TokenSettings.from(bed.config),
                    bed.clock);
            int before = bed.sandbox.google().requests("/token");

            long start = System.nanoTime();
            List<RefreshOutcome> outcomes = Profiled.run(() -> refresher.sweep(Duration.ofHours(24), Optional.empty(),
                    Optional.empty(), false));
            double seconds = (System.nanoTime() - start) / 1e9;

            int calls = bed.sandbox.google().requests("/token") - before;
            long refreshed = outcomes.stream().filter(o -> o.outcome().equals("refreshed")).count();
            double ideal = CONCURRENCY / 0.020;
            System.out.printf("%d integrations, concurrency %d, 20 ms latency: %d refreshed in %.1f s = %.0f refreshes/s"
                    + " = %.2fx the ideal %.0f/s; platform calls %d%n", INTEGRATIONS, CONCURRENCY, refreshed, seconds,
                    refreshed / seconds, refreshed / seconds / ideal, ideal, calls);
            assertThat(calls).isEqualTo(INTEGRATIONS);
            assertThat(refreshed).isEqualTo(INTEGRATIONS);

            // As cron runs it: one `tokens refresh` process with the JVM flags of bin/cmis-platform, its
            // start-up (the same command with nothing due) subtracted. The same grants, due again.
            Map<String, String> env = bed.processEnvironment();
            env.put("CMIS_TOKENS_CONCURRENCY", String.valueOf(CONCURRENCY));
            env.put("CMIS_DATABASE_POOL_SIZE", String.valueOf(POOL));
            double startup = process(env, "--platform", "meta");
            bed.jdbi.useHandle(h -> h.execute("""
                    UPDATE cmis_platform.integrations SET token_expires_at = now() + interval '5 minutes',
                                                          last_refreshed_at = NULL"""));
            before = bed.sandbox.google().requests("/token");
            double cold = process(env) - startup;
            calls = bed.sandbox.google().requests("/token") - before;
            System.out.printf("cold process: %d refreshed in %.1f s (start-up of %.2f s subtracted) = %.0f refreshes/s"
                    + " = %.2fx the ideal %.0f/s; platform calls %d%n", calls, cold, startup, calls / cold,
                    calls / cold / ideal, ideal, calls);
            assertThat(calls).isEqualTo(INTEGRATIONS);
        }
    }

    /** Wall time of one {@code tokens refresh} process, in seconds. */
    private static double process(Map<String, String> env, String... selection) throws Exception {
        List<String> args = new java.util.ArrayList<>(List.of("tokens", "refresh", "--within", "24h"));
        args.addAll(List.of(selection));
        long start = System.nanoTime();
        io.cmis.platform.support.CliRun.Result result = io.cmis.platform.support.CliProcess.start(env,
                args.toArray(String[]::new)).finish();
        double seconds = (System.nanoTime() - start) / 1e9;
        assertThat(result.exitCode()).as(result.stdout() + result.stderr()).isZero();
        return seconds;
    }

    private static void seed(PlatformTestBed bed, TokenVault vault) {
        bed.jdbi.useHandle(h -> {
            PreparedBatch batch = h.prepareBatch("""
                    INSERT INTO cmis_platform.integrations (id, org_id, platform, external_account_id, token_kind,
                        access_token_enc, refresh_token_enc, token_expires_at)
                    VALUES (:id, :org, 'google', :account, 'user', :access, :refresh, :expires)
                    """);
            for (int i = 0; i < INTEGRATIONS; i++) {
                UUID id = UUID.randomUUID();
                UUID org = new UUID(0, i % 50 + 1);
                String[] tokens = bed.sandbox.google().issueTokens();
                batch.bind("id", id).bind("org", org).bind("account", "acct-" + i)
                        .bind("access", vault.encrypt(Secret.of(tokens[0]), SecretColumns.INTEGRATION_ACCESS_TOKEN.slot(org, id)))
                        .bind("refresh", vault.encrypt(Secret.of(tokens[1]), SecretColumns.INTEGRATION_REFRESH_TOKEN.slot(org, id)))
                        .bind("expires", Timestamp.from(bed.clock.instant().plusSeconds(300))).add();
            }
            batch.execute();
        });
    }

    private static HikariDataSource pool(String database) {
        HikariConfig config = new HikariConfig();
        config.setDataSource(TestPostgres.dataSource(database, "postgres"));
        config.setMaximumPoolSize(POOL);
        return new HikariDataSource(config);
    }
}
