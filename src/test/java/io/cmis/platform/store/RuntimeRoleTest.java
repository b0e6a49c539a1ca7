package io.cmis.platform.store;

import io.cmis.platform.support.CliRun;
import io.cmis.platform.support.PostgresBed;
import io.cmis.platform.support.ProductionPostgres;
import io.cmis.platform.support.TestKeys;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The least-privilege set-up: an administrator runs db setup's SQL, the owner migrates through
 * database.migration-user, and cron and serve log in as a runtime role that owns nothing. That role
 * works, and can neither create roles, nor read the server's files or run its shell, nor write
 * Flyway's history, nor see rows without the tool's paths.
 */
class RuntimeRoleTest {
    static List<PostgresBed> beds() {
        return List.of(PostgresBed.embedded(), PostgresBed.postgres15());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("beds")
    void the_runtime_role_does_the_work_and_nothing_more(PostgresBed bed) {
        String database = bed.unique("lp");
        String owner = bed.unique("owner");
        String runtime = bed.unique("runtime");
        bed.superuser("postgres").useHandle(h -> h.execute("CREATE DATABASE " + database));
        CliRun cli = CliRun.withoutDatabase()
                .env("CMIS_DATABASE_URL", bed.url(database))
                .env("CMIS_DATABASE_USER", runtime)
                .env("CMIS_DATABASE_PASSWORD", PostgresBed.PASSWORD)
                .env("CMIS_DATABASE_MIGRATION_USER", owner)
                .env("CMIS_DATABASE_MIGRATION_PASSWORD", PostgresBed.PASSWORD)
                .env("CMIS_ENCRYPTION_KEYS", TestKeys.K1);
        CliRun.Result setup = cli.run("db", "setup", "--owner", owner);
        assertThat(setup.exitCode()).as(setup.toString()).isZero();
        administrator(bed, database, setup.stdout());
        bed.superuser("postgres").useHandle(h -> {
            h.execute("ALTER ROLE " + owner + " PASSWORD '" + PostgresBed.PASSWORD + "'");
            h.execute("ALTER ROLE " + runtime + " PASSWORD '" + PostgresBed.PASSWORD + "'");
        });

        CliRun.Result migrated = cli.run("db", "migrate");
        assertThat(migrated.exitCode()).as(migrated.toString()).isZero();
        assertThat(migrated.stderr()).as("the owner still holds the shared roles until the SQL runs again")
                .contains("still holds cmis_system and cmis_tenant").contains("db setup");
        administrator(bed, database, setup.stdout()); // again: the owner gives back the shared roles
        CliRun.Result again = cli.run("db", "migrate");
        assertThat(again.exitCode()).as(again.toString()).isZero();
        assertThat(again.stderr()).doesNotContain("still holds");
        assertThat(bed.superuser(database).<Long, RuntimeException>withHandle(h -> h.createQuery("""
                SELECT count(*) FROM pg_auth_members m JOIN pg_roles r ON r.oid = m.roleid
                WHERE m.member = to_regrole(:owner) AND r.rolname IN ('cmis_tenant', 'cmis_system')""")
                .bind("owner", owner).mapTo(Long.class).one())).isZero();

        String org = UUID.randomUUID().toString();
        cli.run("integrations", "add", "tiktok", "--org", org, "--access-token", "act.tokenBBBBBBBBB",
                "--external-id", "7000000000000000001").ok();
        CliRun.Result listed = cli.run("integrations", "list", "--org", org);
        assertThat(listed.exitCode()).as(listed.toString()).isZero();
        assertThat(listed.stdout()).contains("7000000000000000001");
        assertThat(listed.stderr()).doesNotContain("CREATEROLE");

        Jdbi asRuntime = bed.as(database, runtime);
        List<String> attacks = List.of(
                "CREATE ROLE intruder LOGIN",
                "GRANT pg_read_server_files TO " + runtime,
                "GRANT pg_execute_server_program TO " + runtime,
                "SELECT pg_read_file('/etc/hostname')",
                "COPY (SELECT 1) TO PROGRAM 'true'",
                "INSERT INTO cmis_platform.flyway_schema_history (installed_rank, description, type, script, installed_by, "
                        + "execution_time, success) VALUES (999, 'forged', 'SQL', 'x', 'x', 0, true)",
                "DELETE FROM cmis_platform.flyway_schema_history",
                "CREATE TABLE cmis_platform.planted (x int)",
                "CREATE TEMP TABLE planted (x int)",
                "ALTER TABLE cmis_platform.integrations DISABLE ROW LEVEL SECURITY");
        for (String attack : attacks) {
            assertThatThrownBy(() -> asRuntime.useHandle(h -> h.execute(attack))).as(attack)
                    .hasMessageMatching("(?s).*(permission denied|must be owner|must have admin option|must be superuser or have privileges).*");
        }
        Long visible = asRuntime.withHandle(h -> h.createQuery("SELECT count(*) FROM cmis_platform.integrations")
                .mapTo(Long.class).one());
        assertThat(visible).as("rows outside the tool's paths").isZero();
        Boolean owns = asRuntime.withHandle(h -> h.createQuery("""
                SELECT EXISTS (SELECT 1 FROM pg_class WHERE relowner = current_user::regrole)
                    OR EXISTS (SELECT 1 FROM pg_namespace WHERE nspowner = current_user::regrole)
                """).mapTo(Boolean.class).one());
        assertThat(owns).as("the runtime role owns something").isFalse();
    }

    @Test
    void an_owner_with_createrole_running_everything_keeps_working_and_is_warned_on_postgresql_15() {
        ProductionPostgres pg = ProductionPostgres.get();
        String database = pg.freshDatabase();
        CliRun cli = CliRun.withoutDatabase();
        pg.environment(database, false).forEach(cli::env);
        CliRun.Result listed = cli.run("integrations", "list");
        assertThat(listed.exitCode()).as(listed.toString()).isZero();
        assertThat(listed.stderr()).contains("has CREATEROLE on PostgreSQL 15")
                .contains("pg_execute_server_program").contains("db setup");
    }

    /** Runs db setup's output as an administrator, connected to the database. */
    private static void administrator(PostgresBed bed, String database, String sql) {
        bed.superuser(database).useHandle(h -> h.createScript(sql).execute());
    }
}
