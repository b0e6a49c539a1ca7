package io.cmis.platform.production;

import com.fasterxml.jackson.databind.JsonNode;
import io.cmis.platform.cli.Json;
import io.cmis.platform.support.CliProcess;
import io.cmis.platform.support.CliRun;
import io.cmis.platform.support.OAuthUser;
import io.cmis.platform.support.PlatformTestBed;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two hosts' cron jobs at once on Debian's PostgreSQL 15, through one PgBouncer in transaction mode and
 * directly: sync leases and token refresh.
 */
class PooledSyncAndTokensTest {
    private static final int INTEGRATIONS = 12;

    @ParameterizedTest(name = "through PgBouncer: {0}")
    @ValueSource(booleans = {true, false})
    void two_syncs_at_once_sync_each_integration_once_and_leave_nothing_held(boolean pooled) throws Exception {
        try (PlatformTestBed bed = PlatformTestBed.onProductionDatabase(pooled)) {
            addTikTokAdvertisers(bed, INTEGRATIONS);
            bed.sandbox.tiktok().latency(Duration.ofMillis(400));
            Map<String, String> env = bed.processEnvironment();
            env.put("CMIS_SYNC_CONCURRENCY", "4");

            CliProcess first = CliProcess.start(env, "--json", "sync");
            CliProcess second = CliProcess.start(env, "--json", "sync");
            JsonNode a = Json.MAPPER.readTree(jsonPart(first.finish().stdout()));
            JsonNode b = Json.MAPPER.readTree(jsonPart(second.finish().stdout()));

            assertThat(a.get("succeeded").asInt() + b.get("succeeded").asInt()).isEqualTo(INTEGRATIONS);
            List<Integer> runs = bed.jdbi.withHandle(h -> h.createQuery("""
                    SELECT count(r.id) FROM cmis_platform.integrations i
                    LEFT JOIN cmis_platform.sync_runs r ON r.integration_id = i.id AND r.outcome = 'synced'
                    GROUP BY i.id""").mapTo(Integer.class).list());
            assertThat(runs).as("each integration synced exactly once").hasSize(INTEGRATIONS).containsOnly(1);
            assertThat(leases(bed)).as("every lease released").isZero();
            PooledDatabaseTest.assertNoLockOrSettingLeftBehind(bed.jdbi);
        }
    }

    @Test
    void a_killed_syncs_claims_are_free_again_within_its_lease() throws Exception {
        try (PlatformTestBed bed = PlatformTestBed.onProductionDatabase(true)) {
            addTikTokAdvertisers(bed, 4);
            Map<String, String> env = bed.processEnvironment();
            env.put("CMIS_SYNC_LEASE", "4s");
            bed.sandbox.tiktok().latency(Duration.ofSeconds(30));
            CliProcess sync = CliProcess.start(env, "sync");
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (leases(bed) < 4 && System.nanoTime() < deadline) {
                Thread.sleep(20); // waiting for the child to hold its claims, not for time to pass
            }
            assertThat(leases(bed)).as("the sync claimed every integration").isEqualTo(4);
            sync.kill();
            long killed = System.nanoTime();
            bed.sandbox.tiktok().latency(Duration.ZERO);

            CliRun cli = bed.cli().clock(Clock.systemUTC()).env("CMIS_SYNC_LEASE", "4s");
            JsonNode meanwhile = Json.MAPPER.readTree(cli.run("--json", "sync").stdout());
            assertThat(meanwhile.get("succeeded").asInt()).as("the claims outlive their holder until they expire")
                    .isZero();
            assertThat(meanwhile.toString()).contains("another sync is running");

            while (expiredLeases(bed) < 4 && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            double freeAfter = (System.nanoTime() - killed) / 1e9;
            assertThat(freeAfter).as("seconds until the killed sync's claims were free").isLessThan(4.5);
            JsonNode after = Json.MAPPER.readTree(cli.run("--json", "sync").ok().stdout());
            assertThat(after.get("succeeded").asInt()).isEqualTo(4);
            assertThat(leases(bed)).isZero();
        }
    }

    @Test
    void a_sync_longer_than_its_lease_keeps_renewing_it_so_no_other_sync_takes_over() throws Exception {
        try (PlatformTestBed bed = PlatformTestBed.onProductionDatabase(true)) {
            addTikTokAdvertisers(bed, 2);
            Map<String, String> env = bed.processEnvironment();
            env.put("CMIS_SYNC_LEASE", "2s");
            bed.sandbox.tiktok().latency(Duration.ofSeconds(3)); // each call outlasts the lease
            CliProcess sync = CliProcess.start(env, "--json", "sync");
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (leases(bed) < 2 && System.nanoTime() < deadline) {
                Thread.sleep(20); // waiting for the child to hold its claims, not for time to pass
            }
            Thread.sleep(3_000); // longer than the lease: only renewal keeps it
            assertThat(expiredLeases(bed)).as("renewed while the sync runs").isZero();
            assertThat(leases(bed)).isEqualTo(2);
            JsonNode done = Json.MAPPER.readTree(jsonPart(sync.finish().stdout()));
            assertThat(done.get("succeeded").asInt()).isEqualTo(2);
            assertThat(leases(bed)).isZero();
        }
    }

    @ParameterizedTest(name = "through PgBouncer: {0}")
    @ValueSource(booleans = {true, false})
    void two_token_sweeps_at_once_rotate_each_refresh_token_once_and_keep_the_chain(boolean pooled) throws Exception {
        try (PlatformTestBed bed = PlatformTestBed.onProductionDatabase(pooled)) {
            for (int i = 0; i < 6; i++) {
                OAuthUser.connect(bed.cli(), UUID.randomUUID().toString(), "tiktok", "--kind", "tt_user");
            }
            bed.sandbox.tiktok().latency(Duration.ofMillis(200));
            Map<String, String> env = bed.processEnvironment();
            CliProcess first = CliProcess.start(env, "--json", "tokens", "refresh");
            CliProcess second = CliProcess.start(env, "--json", "tokens", "refresh");
            JsonNode a = Json.MAPPER.readTree(jsonPart(first.finish().stdout()));
            JsonNode b = Json.MAPPER.readTree(jsonPart(second.finish().stdout()));

            assertThat(a.get("succeeded").asInt() + b.get("succeeded").asInt()).isEqualTo(6);
            assertThat(a.get("failed").asInt() + b.get("failed").asInt()).isZero();
            assertThat(bed.sandbox.tiktok().requests(".*/tt_user/oauth2/refresh_token/")).isEqualTo(6);
            List<Integer> counts = bed.jdbi.withHandle(h -> h.createQuery(
                    "SELECT refresh_count FROM cmis_platform.integrations").mapTo(Integer.class).list());
            assertThat(counts).hasSize(6).containsOnly(1);

            // The stored, rotated refresh tokens are the live ones: the next sweep (an hour on) uses each once more.
            bed.sandbox.tiktok().latency(Duration.ZERO);
            CliRun later = bed.cli().clock(Clock.fixed(Instant.now().plus(Duration.ofHours(1)), ZoneOffset.UTC));
            JsonNode next = Json.MAPPER.readTree(later.run("--json", "tokens", "refresh", "--within", "48h").ok().stdout());
            assertThat(next.get("succeeded").asInt()).isEqualTo(6);
        }
    }

    private static void addTikTokAdvertisers(PlatformTestBed bed, int n) {
        CliRun cli = bed.cli();
        for (int i = 0; i < n; i++) {
            cli.run("integrations", "add", "tiktok", "--org", UUID.randomUUID().toString(), "--access-token",
                    bed.sandbox.tiktok().issueAdvertiserToken(), "--external-id", "adv-" + i).ok();
        }
    }

    private static int leases(PlatformTestBed bed) {
        return bed.jdbi.withHandle(h -> h.createQuery("SELECT count(*) FROM cmis_platform.sync_leases")
                .mapTo(Integer.class).one());
    }

    private static int expiredLeases(PlatformTestBed bed) {
        return bed.jdbi.withHandle(h -> h.createQuery(
                "SELECT count(*) FROM cmis_platform.sync_leases WHERE expires_at < now()").mapTo(Integer.class).one());
    }

    /** The JSON document of a process's combined output (stderr notices may come before it). */
    static String jsonPart(String output) {
        int start = output.indexOf('{');
        return start < 0 ? output : output.substring(start);
    }
}
