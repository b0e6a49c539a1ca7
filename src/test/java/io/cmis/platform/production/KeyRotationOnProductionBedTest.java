package io.cmis.platform.production;

import com.fasterxml.jackson.databind.JsonNode;
import io.cmis.platform.cli.Json;
import io.cmis.platform.support.CliRun;
import io.cmis.platform.support.ProductionPostgres;
import io.cmis.platform.support.TestKeys;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * tokens rotate-key on Debian's PostgreSQL 15 through PgBouncer in transaction mode: a row held by
 * another connection is named and counted, never passed over, and the lock wait it sets stays in
 * its own transactions (no pooled server session keeps a lock_timeout).
 */
class KeyRotationOnProductionBedTest {

    @Test
    void a_held_row_fails_the_rotation_by_name_through_pgbouncer_and_the_next_run_finishes_it() throws Exception {
        ProductionPostgres pg = ProductionPostgres.get();
        String db = pg.freshDatabase();
        Map<String, String> env = pg.environment(db, true);
        String org = UUID.randomUUID().toString();
        for (int i = 0; i < 3; i++) {
            run(env, "integrations", "add", "meta", "--org", org, "--access-token", "EAAprodbed" + i,
                    "--external-id", "user-" + i).ok();
        }
        env.put("CMIS_ENCRYPTION_KEYS", TestKeys.K2 + "," + TestKeys.K1);
        Jdbi superuser = pg.superuser(db);

        try (Handle locker = superuser.open()) {
            locker.begin();
            locker.createQuery("SELECT id FROM cmis_platform.integrations WHERE external_account_id = 'user-1' "
                    + "FOR UPDATE").mapTo(UUID.class).one();

            CliRun.Result first = run(env, "--json", "tokens", "rotate-key", "--lock-timeout", "1s");

            assertThat(first.exitCode()).as(first.toString()).isEqualTo(1);
            JsonNode json = Json.MAPPER.readTree(first.stdout());
            assertThat(json.get("succeeded").asInt()).isEqualTo(2);
            assertThat(json.get("locked").asInt()).isEqualTo(1);
            assertThat(json.at("/remaining/0/table").asText()).isEqualTo("integrations");
            assertThat(json.at("/remaining/0/column").asText()).isEqualTo("access_token_enc");
            assertThat(json.at("/remaining/0/key_id").asText()).isEqualTo("k1");
            assertThat(secrets(env, 1).get("not_under_active_key").asInt()).isEqualTo(1);
            locker.commit();
        }

        run(env, "tokens", "rotate-key").ok();
        assertThat(secrets(env, 0).get("not_under_active_key").asInt()).isZero();
        int notRotated = superuser.withHandle(h -> h.createQuery(
                "SELECT count(*) FROM cmis_platform.integrations WHERE access_token_enc NOT LIKE 'v2.k2.%'")
                .mapTo(Integer.class).one());
        assertThat(notRotated).isZero();
        for (int i = 0; i < 10; i++) {
            assertThat(pooledSetting(pg, db, "lock_timeout")).as("lock_timeout left on a pooled session").isEqualTo("0");
        }
    }

    private static String pooledSetting(ProductionPostgres pg, String db, String name) throws Exception {
        try (Connection c = DriverManager.getConnection(pg.pooledUrl(db) + "?prepareThreshold=0",
                ProductionPostgres.OWNER, ProductionPostgres.PASSWORD);
             ResultSet rs = c.createStatement().executeQuery("SELECT current_setting('" + name + "')")) {
            rs.next();
            return rs.getString(1);
        }
    }

    private static JsonNode secrets(Map<String, String> env, int expectedExit) throws Exception {
        CliRun.Result run = run(env, "--json", "health");
        assertThat(run.exitCode()).as(run.toString()).isEqualTo(expectedExit);
        return Json.MAPPER.readTree(run.stdout()).at("/components/secrets");
    }

    private static CliRun.Result run(Map<String, String> env, String... args) {
        CliRun cli = CliRun.withoutDatabase();
        env.forEach(cli::env);
        return cli.run(args);
    }
}
