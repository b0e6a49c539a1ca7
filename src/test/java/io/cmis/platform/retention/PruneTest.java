package io.cmis.platform.retention;

import com.fasterxml.jackson.databind.JsonNode;
import io.cmis.platform.cli.Json;
import io.cmis.platform.support.CliProcess;
import io.cmis.platform.support.CliRun;
import io.cmis.platform.support.PlatformTestBed;
import io.cmis.platform.support.TestPostgres;
import org.jdbi.v3.core.Handle;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code db prune}: exactly what the *.retention keys say (the call log's day partitions a whole day
 * at a time), nothing unfinished, resumable, two at once; on the embedded server and on PostgreSQL 15
 * through PgBouncer.
 */
class PruneTest {
    private static final Duration SECOND = Duration.ofSeconds(1);

    private static PlatformTestBed bed(boolean production) {
        return production ? PlatformTestBed.onProductionDatabase(true) : new PlatformTestBed();
    }

    @ParameterizedTest(name = "on PostgreSQL 15 through PgBouncer: {0}")
    @ValueSource(booleans = {false, true})
    void prune_deletes_exactly_what_is_past_its_retention_and_nothing_unfinished(boolean production) throws Exception {
        try (PlatformTestBed bed = bed(production)) {
            Instant now = bed.clock.instant();
            UUID org = UUID.randomUUID();
            UUID integration = UUID.randomUUID();
            bed.jdbi.useHandle(h -> {
                h.execute("""
                        INSERT INTO cmis_platform.integrations (id, org_id, platform, external_account_id)
                        VALUES (?, ?, 'meta', 'acct-1')""", integration, org);
                // Raw calls: 7 days; their rollups (written by the trigger): 400 days.
                call(h, "old", now.minus(Duration.ofDays(7)).minus(SECOND));
                call(h, "kept", now.minus(Duration.ofDays(7)).plus(SECOND));
                call(h, "ancient", now.minus(Duration.ofDays(401)));
                h.execute("DELETE FROM cmis_platform.platform_api_calls WHERE endpoint = 'ancient'");
                // Sync runs: finished 90 days ago; an unfinished one stays whatever its age.
                syncRun(h, org, integration, now.minus(Duration.ofDays(200)), now.minus(Duration.ofDays(90)).minus(SECOND));
                syncRun(h, org, integration, now.minus(Duration.ofDays(200)), now.minus(Duration.ofDays(90)).plus(SECOND));
                syncRun(h, org, integration, now.minus(Duration.ofDays(200)), null);
                // Alerts: delivered and failed ones after 90 days; a pending one never.
                alert(h, "delivered", now.minus(Duration.ofDays(90)).minus(SECOND));
                alert(h, "failed", now.minus(Duration.ofDays(90)).minus(SECOND));
                alert(h, "delivered", now.minus(Duration.ofDays(90)).plus(SECOND));
                alert(h, "pending", now.minus(Duration.ofDays(300)));
                // OAuth states: a day past their expiry.
                state(h, org, now.minus(Duration.ofDays(1)).minus(SECOND));
                state(h, org, now.minus(Duration.ofDays(1)).plus(SECOND));
                state(h, org, now.plus(Duration.ofMinutes(10)));
                // Webhook events: processed ones after 30 days; never queued, processing, retrying or dead.
                event(h, "processed", now.minus(Duration.ofDays(30)).minus(SECOND));
                event(h, "processed", now.minus(Duration.ofDays(30)).plus(SECOND));
                for (String status : List.of("queued", "processing", "retrying", "dead")) {
                    event(h, status, now.minus(Duration.ofDays(365)));
                }
                // Credential reads: 90 days.
                read(h, org, integration, "old", now.minus(Duration.ofDays(90)).minus(SECOND));
                read(h, org, integration, "kept", now.minus(Duration.ofDays(90)).plus(SECOND));
            });
            CliRun cli = bed.cli();

            JsonNode first = Json.MAPPER.readTree(cli.run("--json", "db", "prune").ok().stdout());

            assertThat(deleted(first)).isEqualTo(Map.of("platform_api_calls", 1L, "platform_call_rollups", 1L,
                    "sync_runs", 1L, "notifications", 2L, "oauth_states", 1L, "webhook_events", 1L,
                    "credential_reads", 1L));
            assertThat(first.at("/platform_api_calls/older_than").asText()).isEqualTo("7d");
            bed.jdbi.useHandle(h -> {
                assertThat(strings(h, "SELECT endpoint FROM cmis_platform.platform_api_calls")).containsExactly("kept");
                assertThat(strings(h, "SELECT endpoint FROM cmis_platform.platform_call_rollups ORDER BY 1"))
                        .containsExactly("kept", "old");
                assertThat(strings(h, "SELECT coalesce(finished_at::text, 'unfinished') FROM cmis_platform.sync_runs"))
                        .hasSize(2).contains("unfinished");
                assertThat(strings(h, "SELECT status FROM cmis_platform.notifications ORDER BY 1"))
                        .containsExactly("delivered", "pending");
                assertThat(strings(h, "SELECT id::text FROM cmis_platform.oauth_states")).hasSize(2);
                assertThat(strings(h, "SELECT status FROM cmis_platform.webhook_events ORDER BY 1"))
                        .containsExactly("dead", "processed", "processing", "queued", "retrying");
                assertThat(strings(h, "SELECT reader FROM cmis_platform.credential_reads")).containsExactly("kept");
            });
            JsonNode again = Json.MAPPER.readTree(cli.run("--json", "db", "prune").ok().stdout());
            assertThat(deleted(again).values()).as("a second run finds nothing more").containsOnly(0L);
        }
    }

    @ParameterizedTest(name = "on PostgreSQL 15 through PgBouncer: {0}")
    @ValueSource(booleans = {false, true})
    void a_day_partition_is_dropped_whole_once_all_of_it_is_past_the_retention(boolean production) throws Exception {
        try (PlatformTestBed bed = bed(production)) {
            Instant day = Instant.parse("2026-11-25T00:00:00Z");
            CliRun cli = bed.cli();
            JsonNode first = Json.MAPPER.readTree(cli.run("--json", "db", "prune").ok().stdout());
            assertThat(first.at("/platform_api_calls/partitions_added").asInt())
                    .as("the bed's day and the days up to the migration's horizon").isPositive();
            bed.jdbi.useHandle(h -> {
                call(h, "first-instant", day);
                call(h, "last-instant", day.plus(Duration.ofDays(1)).minusMillis(1));
                call(h, "next-day", day.plus(Duration.ofDays(1)));
            });
            assertThat(partitionOf(bed, "first-instant")).isEqualTo("platform_api_calls_20261125");

            // A second before the whole day is 7 days old: its first call is, but the day stays.
            bed.clock.set(day.plus(Duration.ofDays(8)).minus(SECOND));
            JsonNode before = Json.MAPPER.readTree(cli.run("--json", "db", "prune").ok().stdout());
            assertThat(before.at("/platform_api_calls/deleted").asLong()).isZero();
            assertThat(endpoints(bed)).containsExactly("first-instant", "last-instant", "next-day");

            bed.clock.set(day.plus(Duration.ofDays(8)));
            JsonNode at = Json.MAPPER.readTree(cli.run("--json", "db", "prune").ok().stdout());
            assertThat(at.at("/platform_api_calls/deleted").asLong()).isEqualTo(2);
            assertThat(at.at("/platform_api_calls/partitions_dropped").asInt()).isEqualTo(1);
            assertThat(endpoints(bed)).containsExactly("next-day");
            assertThat(rolledUp(bed)).as("rollups outlive the raw calls").isEqualTo(3);
        }
    }

    @ParameterizedTest(name = "on PostgreSQL 15 through PgBouncer: {0}")
    @ValueSource(booleans = {false, true})
    void calls_written_before_their_day_had_a_partition_move_into_it_once(boolean production) throws Exception {
        try (PlatformTestBed bed = bed(production)) {
            Instant far = Instant.parse("2027-03-01T10:00:00Z");
            bed.jdbi.useHandle(h -> {
                call(h, "early", far);
                call(h, "early", far.plus(Duration.ofHours(1)));
            });
            assertThat(partitionOf(bed, "early")).isEqualTo("platform_api_calls_default");

            bed.clock.set(far.minus(Duration.ofDays(3)));
            bed.cli().run("db", "prune").ok();

            assertThat(partitionOf(bed, "early")).isEqualTo("platform_api_calls_20270301");
            assertThat(endpoints(bed)).containsExactly("early", "early");
            assertThat(rolledUp(bed)).as("moving rows does not count them again").isEqualTo(2);
            // The tenant role reaches partitions only through the log's own policies.
            bed.jdbi.useHandle(h -> assertThat(h.createQuery("""
                    SELECT count(*) FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
                    WHERE i.inhparent = 'cmis_platform.platform_api_calls'::regclass
                      AND has_table_privilege(:tenant, c.oid, 'SELECT, INSERT, UPDATE, DELETE')""")
                    .bind("tenant", TestPostgres.roles(bed.jdbi).tenant())
                    .mapTo(Long.class).one()).isZero());
        }
    }

    @Test
    void a_transaction_left_open_on_the_call_log_defers_the_drop_without_failing_prune_or_the_writer() throws Exception {
        try (PlatformTestBed bed = new PlatformTestBed()) {
            Instant day = Instant.parse("2026-11-25T00:00:00Z");
            CliRun cli = bed.cli();
            cli.run("db", "prune").ok();
            bed.jdbi.useHandle(h -> call(h, "expiring", day));
            bed.clock.set(day.plus(Duration.ofDays(8)));
            try (Handle writer = bed.jdbi.open()) {
                writer.begin();
                call(writer, "in-flight", Instant.parse("2026-11-30T00:00:00Z"));

                JsonNode held = Json.MAPPER.readTree(cli.run("--json", "db", "prune").ok().stdout());

                assertThat(held.at("/platform_api_calls/partitions_deferred").asInt()).isEqualTo(1);
                assertThat(held.at("/platform_api_calls/partitions_dropped").asInt()).isZero();
                writer.commit();
            }
            assertThat(endpoints(bed)).containsExactly("expiring", "in-flight");
            JsonNode next = Json.MAPPER.readTree(cli.run("--json", "db", "prune").ok().stdout());
            assertThat(next.at("/platform_api_calls/partitions_dropped").asInt()).isEqualTo(1);
            assertThat(endpoints(bed)).containsExactly("in-flight");
        }
    }

    @Test
    void retention_keys_come_from_the_config_and_a_bad_one_is_a_one_line_usage_error() throws Exception {
        try (PlatformTestBed bed = new PlatformTestBed()) {
            bed.jdbi.useHandle(h -> call(h, "two-days", bed.clock.instant().minus(Duration.ofDays(2))));
            CliRun.Result bad = bed.cli().env("CMIS_API_CALLS_RETENTION", "0d").run("db", "prune");
            assertThat(bad.exitCode()).isEqualTo(2);
            assertThat(bad.stderr().strip().lines()).hasSize(1);
            assertThat(bad.stderr()).contains("api-calls.retention");
            JsonNode out = Json.MAPPER.readTree(bed.cli().env("CMIS_API_CALLS_RETENTION", "1d")
                    .run("--json", "db", "prune").ok().stdout());
            assertThat(out.at("/platform_api_calls/deleted").asLong()).isEqualTo(1);
        }
    }

    @ParameterizedTest(name = "on PostgreSQL 15 through PgBouncer: {0}")
    @ValueSource(booleans = {false, true})
    void a_killed_prune_is_finished_by_the_next_and_two_at_once_do_not_conflict(boolean production) throws Exception {
        try (PlatformTestBed bed = bed(production)) {
            int rows = 300_000;
            bed.jdbi.useHandle(h -> h.execute("""
                    INSERT INTO cmis_platform.platform_api_calls (platform, method, endpoint, status_code, outcome,
                        duration_ms, called_at)
                    SELECT 'meta', 'GET', '/e' || (i % 10), 200, 'success', i % 900, now() - interval '30 days'
                    FROM generate_series(1, ?) AS i""", rows));
            Map<String, String> env = bed.processEnvironment();

            CliProcess killed = CliProcess.start(env, "db", "prune");
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (oldCalls(bed) == rows && System.nanoTime() < deadline) {
                Thread.sleep(5); // waiting for the first batch to commit, not for time to pass
            }
            killed.kill();
            long left = oldCalls(bed);
            assertThat(left).as("killed mid-way: some batches committed").isLessThan(rows);

            CliProcess a = CliProcess.start(env, "--json", "db", "prune");
            CliProcess b = CliProcess.start(env, "--json", "db", "prune");
            // The process's stderr arrives on the same stream: on PostgreSQL 15 the owner with CREATEROLE
            // is warned about (RuntimeRole) before the JSON.
            long byA = Json.MAPPER.readTree(json(a.finish().ok().stdout())).at("/platform_api_calls/deleted").asLong();
            long byB = Json.MAPPER.readTree(json(b.finish().ok().stdout())).at("/platform_api_calls/deleted").asLong();

            assertThat(oldCalls(bed)).isZero();
            assertThat(byA + byB).as("every row left was deleted once, by one of the two").isEqualTo(left);
            assertThat(rolledUp(bed)).as("the rollups keep what the raw rows said").isEqualTo(rows);
        }
    }

    private static long rolledUp(PlatformTestBed bed) {
        return bed.jdbi.withHandle(h -> h.createQuery("SELECT sum(calls) FROM cmis_platform.platform_call_rollups")
                .mapTo(Long.class).one());
    }

    private static List<String> endpoints(PlatformTestBed bed) {
        return bed.jdbi.withHandle(h -> strings(h, "SELECT endpoint FROM cmis_platform.platform_api_calls ORDER BY called_at"));
    }

    private static String partitionOf(PlatformTestBed bed, String endpoint) {
        return bed.jdbi.withHandle(h -> h.createQuery(
                "SELECT DISTINCT tableoid::regclass::text FROM cmis_platform.platform_api_calls WHERE endpoint = ?")
                .bind(0, endpoint).mapTo(String.class).one()).replace("cmis_platform.", "");
    }

    private static long oldCalls(PlatformTestBed bed) {
        return bed.jdbi.withHandle(h -> h.createQuery("SELECT count(*) FROM cmis_platform.platform_api_calls")
                .mapTo(Long.class).one());
    }

    private static Map<String, Long> deleted(JsonNode out) {
        Map<String, Long> counts = new java.util.LinkedHashMap<>();
        out.fields().forEachRemaining(e -> counts.put(e.getKey(), e.getValue().get("deleted").asLong()));
        return counts;
    }

    private static List<String> strings(Handle h, String sql) {
        return h.createQuery(sql).mapTo(String.class).list();
    }

    private static void call(Handle h, String endpoint, Instant at) {
        h.execute("""
                INSERT INTO cmis_platform.platform_api_calls (platform, method, endpoint, status_code, outcome,
                    duration_ms, called_at) VALUES ('meta', 'GET', ?, 200, 'success', 40, ?)""",
                endpoint, Timestamp.from(at));
    }

    private static void syncRun(Handle h, UUID org, UUID integration, Instant started, Instant finished) {
        h.execute("""
                INSERT INTO cmis_platform.sync_runs (id, org_id, integration_id, started_at, finished_at, outcome)
                VALUES (?, ?, ?, ?, ?, 'done')""", UUID.randomUUID(), org, integration, Timestamp.from(started),
                finished == null ? null : Timestamp.from(finished));
    }

    private static void alert(Handle h, String status, Instant created) {
        h.execute("""
                INSERT INTO cmis_platform.notifications (id, kind, dedupe_key, message, status, created_at)
                VALUES (?, 'health', ?, 'm', ?, ?)""", UUID.randomUUID(), UUID.randomUUID().toString(), status,
                Timestamp.from(created));
    }

    private static void state(Handle h, UUID org, Instant expires) {
        h.execute("""
                INSERT INTO cmis_platform.oauth_states (id, org_id, platform, state_hash, redirect_uri, expires_at)
                VALUES (?, ?, 'meta', ?, 'http://127.0.0.1/cb', ?)""", UUID.randomUUID(), org,
                UUID.randomUUID().toString(), Timestamp.from(expires));
    }

    private static void read(Handle h, UUID org, UUID integration, String reader, Instant at) {
        h.execute("""
                INSERT INTO cmis_platform.credential_reads (id, org_id, read_at, integration_id, reader, refreshed, outcome)
                VALUES (?, ?, ?, ?, ?, false, 'served')""", UUID.randomUUID(), org, Timestamp.from(at), integration, reader);
    }

    private static void event(Handle h, String status, Instant at) {
        h.execute("""
                INSERT INTO cmis_platform.webhook_events (id, platform, event_key, payload, status, received_at,
                    processed_at)
                VALUES (?, 'meta', ?, '{}', ?, ?, ?)""", UUID.randomUUID(), UUID.randomUUID().toString(), status,
                Timestamp.from(at), "processed".equals(status) ? Timestamp.from(at) : null);
    }

    private static String json(String output) {
        return output.substring(output.indexOf('{'));
    }
}
