package io.cmis.platform.benchmark;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.cmis.platform.crypto.Keyring;
import io.cmis.platform.crypto.Secret;
import io.cmis.platform.crypto.SecretColumns;
import io.cmis.platform.crypto.TokenVault;
import io.cmis.platform.integrations.Integration;
import io.cmis.platform.integrations.IntegrationFilter;
import io.cmis.platform.integrations.IntegrationService;
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
import org.jdbi.v3.core.statement.PreparedBatch;
import org.jdbi.v3.postgres.PostgresPlugin;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

import java.security.SecureRandom;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * 1,000 TikTok advertiser integrations, 20 ms latency per API call (two calls each): wall time at
 * concurrency 8 against the ideal bound (calls × latency / concurrency) and a sequential run.
 * Run: {@code mvn -B test -Dtest=SyncBenchmark -Dbenchmark=true -Djacoco.skip=true -Dsurefire.failIfNoSpecifiedTests=false}
 */
@EnabledIfSystemProperty(named = "benchmark", matches = "true")
class SyncBenchmark {
    private static final int INTEGRATIONS = 1_000;
    private static final int CONCURRENCY = 8;
    private static final Duration LATENCY = Duration.ofMillis(20);

    @Test
    void sync_wall_time() {
        try (PlatformTestBed bed = new PlatformTestBed(); HikariDataSource pool = pool(bed.database)) {
            Jdbi jdbi = Jdbi.create(pool).installPlugin(new PostgresPlugin());
            TokenVault vault = new TokenVault(Keyring.parse(TestKeys.K1), new SecureRandom());
            seed(bed, vault);
            Tenancy tenancy = new Tenancy(jdbi);
            TokenSettings settings = TokenSettings.from(bed.config);
            AccessTokens tokens = new AccessTokens(tenancy, vault, bed.registry(),
                    new TokenRefresher(tenancy, vault, bed.registry(), settings, bed.clock), settings, bed.clock);
            List<Integration> all = new IntegrationService(tenancy, vault, bed.clock).list(IntegrationFilter.all());
            bed.sandbox.tiktok().latency(LATENCY);

            double parallel = run(bed, new SyncService(tenancy, jdbi, vault, bed.registry(), tokens, bed.clock, CONCURRENCY),
                    all, "concurrency " + CONCURRENCY);
            double sequential = run(bed, new SyncService(tenancy, jdbi, vault, bed.registry(), tokens, bed.clock, 1),
                    all, "sequential");
            double ideal = 2.0 * INTEGRATIONS * LATENCY.toMillis() / 1000.0 / CONCURRENCY;
            System.out.printf("ideal bound %.2f s; concurrency %d took %.2f s = %.2fx the bound; sequential %.2f s = "
                    + "%.1fx slower%n", ideal, CONCURRENCY, parallel, parallel / ideal, sequential, sequential / parallel);
        }
    }

    private static double run(PlatformTestBed bed, SyncService service, List<Integration> all, String label) {
        int before = bed.sandbox.tiktok().requests();
        long start = System.nanoTime();
        List<SyncOutcome> outcomes = service.sync(all, EnumSet.allOf(SyncService.Part.class), o -> { });
        double seconds = (System.nanoTime() - start) / 1e9;
        int calls = bed.sandbox.tiktok().requests() - before;
        System.out.printf("%s: %d integrations synced in %.2f s, %d API calls%n", label,
                outcomes.stream().filter(SyncOutcome::succeeded).count(), seconds, calls);
        assertThat(outcomes).allSatisfy(o -> assertThat(o.outcome()).isEqualTo("synced"));
        return seconds;
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
                batch.bind("id", id).bind("org", new UUID(0, i % 50 + 1)).bind("account", "adv-" + i)
                        .bind("access", vault.encrypt(Secret.of(bed.sandbox.tiktok().issueAdvertiserToken()),
                                SecretColumns.INTEGRATION_ACCESS_TOKEN.slot(id))).add();
            }
            batch.execute();
        });
    }

    private static HikariDataSource pool(String database) {
        HikariConfig config = new HikariConfig();
        config.setDataSource(TestPostgres.dataSource(database, "postgres"));
        config.setMaximumPoolSize(CONCURRENCY * 2 + 4);
        return new HikariDataSource(config);
    }
}
