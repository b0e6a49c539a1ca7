package io.cmis.platform.production;

import com.fasterxml.jackson.databind.JsonNode;
import io.cmis.platform.cli.Json;
import io.cmis.platform.config.ConfigLoader;
import io.cmis.platform.store.Database;
import io.cmis.platform.tenancy.OrgId;
import io.cmis.platform.tenancy.Tenancy;
import io.cmis.platform.support.CliRun;
import io.cmis.platform.support.ProductionPostgres;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The tool on Debian's PostgreSQL 15 through PgBouncer 1.18 in transaction mode: migrations, the
 * commands, and row-level security with orgs interleaved on shared server sessions.
 */
class PooledDatabaseTest {

    @Test
    void db_migrate_through_the_pooler_refuses_in_one_line_then_migrates_over_the_direct_url() {
        ProductionPostgres pg = ProductionPostgres.get();
        String db = pg.emptyDatabase();
        Map<String, String> env = pg.environment(db, true);
        String direct = env.remove("CMIS_DATABASE_MIGRATION_URL");

        CliRun.Result refused = run(env, "db", "migrate");
        assertThat(refused.exitCode()).isEqualTo(2);
        assertThat(refused.stderr().strip().lines()).hasSize(1);
        assertThat(refused.stderr()).contains("database.migration-url").doesNotContain("Exception");
        boolean noSchema = pg.superuser(db).withHandle(h -> h.createQuery(
                "SELECT to_regclass('cmis_platform.integrations') IS NULL").mapTo(Boolean.class).one());
        assertThat(noSchema).as("nothing half-written").isTrue();

        env.put("CMIS_DATABASE_MIGRATION_URL", direct);
        assertThat(run(env, "db", "migrate").ok().stdout()).contains("schema is at version");
        assertThat(run(env, "db", "migrate").ok().stdout()).contains("up to date");
    }

    @ParameterizedTest(name = "through PgBouncer: {0}")
    @ValueSource(booleans = {true, false})
    void commands_work_on_postgresql_15_directly_and_through_pgbouncer_in_transaction_mode(boolean pooled)
            throws Exception {
        ProductionPostgres pg = ProductionPostgres.get();
        String db = pg.freshDatabase();
        Map<String, String> env = pg.environment(db, pooled);
        String org = UUID.randomUUID().toString();
        // More statements than pgjdbc's prepare threshold (5), on shared server sessions.
        for (int i = 0; i < 8; i++) {
            run(env, "integrations", "add", "meta", "--org", org, "--access-token", "EAAtoken" + i,
                    "--expires-in", "86400", "--external-id", "user-" + i).ok();
        }
        JsonNode list = Json.MAPPER.readTree(run(env, "--json", "integrations", "list", "--org", org).ok().stdout());
        assertThat(list).hasSize(8);
        assertThat(run(env, "--json", "integrations", "show", list.get(0).get("id").asText()).ok().stdout())
                .contains(org);
        assertNoLockOrSettingLeftBehind(pg.superuser(db));
    }

    @Test
    void two_orgs_interleaved_on_pooled_connections_never_see_each_others_rows() throws Exception {
        ProductionPostgres pg = ProductionPostgres.get();
        String db = pg.freshDatabase();
        OrgId a = new OrgId(UUID.randomUUID());
        OrgId b = new OrgId(UUID.randomUUID());
        try (Database database = Database.open(new ConfigLoader(pg.environment(db, true), null).load(null).database(),
                Path.of("unused"))) {
            Tenancy tenancy = new Tenancy(database.jdbi());
            for (OrgId org : List.of(a, b)) {
                for (int i = 0; i < 3; i++) {
                    String external = "acct-" + i;
                    tenancy.inOrgDo(org, h -> h.execute("INSERT INTO integrations (id, org_id, platform, external_account_id) "
                            + "VALUES (?, ?, 'meta', ?)", UUID.randomUUID(), org.value(), external));
                }
            }
            Map<OrgId, Set<Integer>> sessions = Map.of(a, ConcurrentHashMap.newKeySet(), b, ConcurrentHashMap.newKeySet());
            List<String> violations = java.util.Collections.synchronizedList(new ArrayList<>());
            ExecutorService threads = Executors.newFixedThreadPool(12);
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < 12; t++) {
                int thread = t;
                done.add(threads.submit(() -> {
                    for (int i = 0; i < 150; i++) {
                        OrgId org = (thread + i) % 2 == 0 ? a : b;
                        tenancy.inOrgDo(org, h -> {
                            sessions.get(org).add(h.createQuery("SELECT pg_backend_pid()").mapTo(Integer.class).one());
                            List<UUID> seen = h.createQuery("SELECT org_id FROM integrations").mapTo(UUID.class).list();
                            if (seen.size() != 3 || seen.stream().anyMatch(o -> !o.equals(org.value()))) {
                                violations.add(org + " saw " + seen);
                            }
                        });
                        if (i % 5 == 0) {
                            // A transaction that sets no org, on whatever session the pooler gives it next.
                            Map<String, Object> left = database.jdbi().inTransaction(h -> h.createQuery("""
                                    SELECT coalesce(current_setting('cmis.org_id', true), '') AS org, current_user AS who,
                                           current_setting('search_path') AS path
                                    """).mapToMap().one());
                            if (!"".equals(left.get("org")) || !ProductionPostgres.OWNER.equals(left.get("who"))
                                    || String.valueOf(left.get("path")).contains("cmis_platform")) {
                                violations.add("left behind on a pooled session: " + left);
                            }
                            int unscoped = database.jdbi().inTransaction(h -> {
                                h.execute("SET LOCAL ROLE " + new Tenancy(database.jdbi()).roles().tenant());
                                return h.createQuery("SELECT count(*) FROM cmis_platform.integrations")
                                        .mapTo(Integer.class).one();
                            });
                            if (unscoped != 0) {
                                violations.add("no org set, yet " + unscoped + " rows visible");
                            }
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
            threads.shutdown();
            assertThat(violations).isEmpty();
            Set<Integer> shared = new java.util.HashSet<>(sessions.get(a));
            shared.retainAll(sessions.get(b));
            assertThat(shared).as("both orgs ran on the same server sessions (the pooler shares them)").isNotEmpty();
        }
        assertNoLockOrSettingLeftBehind(pg.superuser(db));
    }

    @ParameterizedTest(name = "through PgBouncer: {0}")
    @ValueSource(booleans = {true, false})
    void the_intakes_one_round_trip_statement_runs_as_the_system_role_and_leaves_nothing_on_the_session(boolean pooled) {
        ProductionPostgres pg = ProductionPostgres.get();
        String db = pg.freshDatabase();
        Map<String, String> env = pg.environment(db, pooled);
        env.put("CMIS_DATABASE_POOL_SIZE", "1"); // the next borrower gets the same client connection
        try (Database database = Database.open(new ConfigLoader(env, null).load(null).database(), Path.of("unused"))) {
            Tenancy tenancy = new Tenancy(database.jdbi());
            try (Tenancy.SystemSession session = tenancy.systemSession("test")) {
                List<String> inside = session.query("SELECT current_user, current_setting('search_path'), "
                        + "txid_current()::text", statement -> { }, rows -> {
                            rows.next();
                            return List.of(rows.getString(1), rows.getString(2), rows.getString(3));
                        });
                assertThat(inside.get(0)).isEqualTo(tenancy.roles().system());
                assertThat(inside.get(1)).isEqualTo("cmis_platform");
                // A statement that fails stores nothing, and the session goes on working.
                UUID id = UUID.randomUUID();
                org.assertj.core.api.Assertions.assertThatThrownBy(() -> session.query("""
                        INSERT INTO webhook_events (id, platform, event_key, payload) VALUES (?, 'meta', 'k', '{}')
                        RETURNING 1 / 0""", statement -> statement.setObject(1, id), rows -> rows.next()))
                        .hasMessageContaining("division by zero");
                long txid = session.query("SELECT txid_current()", statement -> { }, rows -> {
                    rows.next();
                    return rows.getLong(1);
                });
                assertThat(txid).as("each statement is a transaction of its own")
                        .isNotEqualTo(Long.parseLong(inside.get(2)));
                int stored = pg.superuser(db).withHandle(h -> h.createQuery(
                        "SELECT count(*) FROM cmis_platform.webhook_events WHERE id = :id").bind("id", id)
                        .mapTo(Integer.class).one());
                assertThat(stored).isZero();
            }
            Map<String, Object> after = database.jdbi().withHandle(h -> h.createQuery(
                    "SELECT current_user AS who, current_setting('search_path') AS path").mapToMap().one());
            assertThat(after.get("who")).isEqualTo(ProductionPostgres.OWNER);
            assertThat(String.valueOf(after.get("path"))).doesNotContain("cmis_platform");
        }
    }

    static void assertNoLockOrSettingLeftBehind(Jdbi superuser) {
        int advisory = superuser.withHandle(h -> h.createQuery(
                "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'").mapTo(Integer.class).one());
        assertThat(advisory).as("advisory locks held on any server session").isZero();
    }

    private static CliRun.Result run(Map<String, String> env, String... args) {
        CliRun cli = CliRun.withoutDatabase();
        env.forEach(cli::env);
        return cli.run(args);
    }
}
