package io.cmis.platform.tenancy;

import io.cmis.platform.support.PostgresBed;
import io.cmis.platform.support.ProductionPostgres;
import io.cmis.platform.support.TestPostgres;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * What each role may do, read from the catalog and tried as an attacker would, on the embedded
 * server and on PostgreSQL 15: functions, the call log's partitions, the platform-wide tables and
 * Flyway's history.
 */
class PrivilegeCatalogTest {
    private static final Map<Boolean, Jdbi> DATABASES = new ConcurrentHashMap<>();
    /** Tables that are not an org's: only the system path (or nobody) touches them. */
    static final List<String> SHARED_TABLES = List.of("circuit_breakers", "rate_limits", "health_state",
            "platform_call_rollups", "installation_roles", "flyway_schema_history");

    static List<PostgresBed> beds() {
        return List.of(PostgresBed.embedded(), PostgresBed.postgres15());
    }

    private static Jdbi database(PostgresBed bed) {
        return DATABASES.computeIfAbsent(bed.production(), production -> production
                ? ProductionPostgres.get().superuser(ProductionPostgres.get().freshDatabase())
                : TestPostgres.superuser(TestPostgres.freshDatabase()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("beds")
    void no_function_is_executable_by_public_and_security_definers_only_by_the_system_role(PostgresBed bed) {
        Jdbi jdbi = database(bed);
        InstallationRoles roles = TestPostgres.roles(jdbi);
        List<Map<String, Object>> functions = jdbi.withHandle(h -> h.createQuery("""
                SELECT p.proname AS name, p.prosecdef AS definer,
                       p.proacl IS NULL OR EXISTS (SELECT 1 FROM aclexplode(p.proacl) a WHERE a.grantee = 0) AS public,
                       has_function_privilege(:tenant, p.oid, 'EXECUTE') AS tenant,
                       has_function_privilege(:system, p.oid, 'EXECUTE') AS system,
                       coalesce(array_to_string(p.proconfig, ','), '') LIKE '%search_path=%' AS pinned_path
                FROM pg_proc p WHERE p.pronamespace = 'cmis_platform'::regnamespace
                """).bind("tenant", roles.tenant()).bind("system", roles.system()).mapToMap().list());
        assertThat(functions).extracting(f -> f.get("name"))
                .contains("roll_up_api_calls", "add_api_call_partition", "drop_api_call_partition", "current_org");
        assertThat(functions).allSatisfy(f -> {
            assertThat(f.get("public")).as(f.get("name") + " executable by PUBLIC").isEqualTo(false);
            if (Boolean.TRUE.equals(f.get("definer"))) {
                assertThat(f.get("tenant")).as(f.get("name") + " executable by the tenant role").isEqualTo(false);
                assertThat(f.get("pinned_path")).as(f.get("name") + " pins its search_path").isEqualTo(true);
            }
        });
        assertThat(functions).filteredOn(f -> Boolean.TRUE.equals(f.get("system")))
                .extracting(f -> f.get("name"))
                .containsExactlyInAnyOrder("add_api_call_partition", "drop_api_call_partition", "current_org");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("beds")
    void a_tenant_cannot_attach_the_rollup_function_to_a_table_of_its_own(PostgresBed bed) {
        Jdbi jdbi = database(bed);
        InstallationRoles roles = TestPostgres.roles(jdbi);
        // A copy of the template keeps TEMPORARY for PUBLIC, so there the function's own grant stops
        // it; a database migrated by its owner (the PostgreSQL 15 bed) refuses the temporary table first.
        assertThatThrownBy(() -> jdbi.useTransaction(h -> {
            h.execute("SET LOCAL ROLE " + roles.tenant());
            h.execute("CREATE TEMP TABLE forged (called_at timestamptz, platform text, endpoint text, outcome text, "
                    + "duration_ms integer) ON COMMIT DROP");
            h.execute("CREATE TRIGGER forge AFTER INSERT ON forged REFERENCING NEW TABLE AS added "
                    + "FOR EACH STATEMENT EXECUTE FUNCTION cmis_platform.roll_up_api_calls()");
        })).hasMessageMatching("(?s).*permission denied (for function cmis_platform.roll_up_api_calls|to create temporary tables).*");
        Long rollups = jdbi.withHandle(h -> h.createQuery("SELECT count(*) FROM cmis_platform.platform_call_rollups")
                .mapTo(Long.class).one());
        assertThat(rollups).isZero();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("beds")
    void the_tenant_role_holds_nothing_on_a_table_that_is_no_orgs_and_cannot_write_flyways_history(PostgresBed bed) {
        Jdbi jdbi = database(bed);
        InstallationRoles roles = TestPostgres.roles(jdbi);
        List<Map<String, Object>> shared = jdbi.withHandle(h -> h.createQuery("""
                SELECT c.relname AS name,
                       has_table_privilege(:tenant, c.oid, 'SELECT, INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER') AS tenant,
                       has_table_privilege(:system, c.oid, 'INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER') AS system_writes
                FROM pg_class c
                WHERE c.relnamespace = 'cmis_platform'::regnamespace AND c.relkind IN ('r', 'p') AND NOT c.relispartition
                  AND NOT EXISTS (SELECT 1 FROM pg_attribute a
                                  WHERE a.attrelid = c.oid AND a.attname = 'org_id' AND NOT a.attisdropped)
                """).bind("tenant", roles.tenant()).bind("system", roles.system()).mapToMap().list());
        assertThat(shared).extracting(t -> t.get("name")).containsExactlyInAnyOrderElementsOf(SHARED_TABLES);
        assertThat(shared).allSatisfy(t -> assertThat(t.get("tenant")).as(t.get("name") + ": tenant privilege")
                .isEqualTo(false));
        assertThat(shared).filteredOn(t -> List.of("flyway_schema_history", "installation_roles").contains(t.get("name")))
                .allSatisfy(t -> assertThat(t.get("system_writes")).as(t.get("name") + ": system writes").isEqualTo(false));

        for (String table : List.of("flyway_schema_history", "circuit_breakers", "rate_limits", "health_state")) {
            assertThatThrownBy(() -> jdbi.useTransaction(h -> {
                h.execute("SET LOCAL ROLE " + roles.tenant());
                h.execute("DELETE FROM cmis_platform." + table);
            })).as(table).hasMessageContaining("permission denied for table " + table);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("beds")
    void no_application_role_may_truncate_reference_or_attach_triggers_to_any_table(PostgresBed bed) {
        Jdbi jdbi = database(bed);
        InstallationRoles roles = TestPostgres.roles(jdbi);
        // TRUNCATE ignores row-level security; a trigger runs with the writer's rows in hand.
        List<String> granted = jdbi.withHandle(h -> h.createQuery("""
                SELECT c.relname || ': ' || r.rolname
                FROM pg_class c CROSS JOIN (VALUES (:tenant), (:system)) AS r(rolname)
                WHERE c.relnamespace = 'cmis_platform'::regnamespace AND c.relkind IN ('r', 'p')
                  AND has_table_privilege(r.rolname, c.oid, 'TRUNCATE, REFERENCES, TRIGGER')
                """).bind("tenant", roles.tenant()).bind("system", roles.system()).mapTo(String.class).list());
        assertThat(granted).isEmpty();
        Boolean schemaCreate = jdbi.withHandle(h -> h.createQuery(
                "SELECT has_schema_privilege(:tenant, 'cmis_platform', 'CREATE') OR has_schema_privilege(:system, 'cmis_platform', 'CREATE')")
                .bind("tenant", roles.tenant()).bind("system", roles.system()).mapTo(Boolean.class).one());
        assertThat(schemaCreate).as("an application role may create objects in the schema").isFalse();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("beds")
    void the_platform_wide_tables_are_reached_through_the_system_path_only(PostgresBed bed) {
        Jdbi jdbi = database(bed);
        InstallationRoles roles = TestPostgres.roles(jdbi);
        for (String table : List.of("circuit_breakers", "rate_limits", "health_state")) {
            Map<String, Object> rls = jdbi.withHandle(h -> h.createQuery("""
                    SELECT relrowsecurity AS enabled, relforcerowsecurity AS forced FROM pg_class
                    WHERE oid = ('cmis_platform.' || :t)::regclass""").bind("t", table).mapToMap().one());
            assertThat(rls).as(table).containsEntry("enabled", true).containsEntry("forced", true);
        }
        Tenancy tenancy = new Tenancy(jdbi);
        tenancy.systemWide("test", h -> h.execute(
                "INSERT INTO circuit_breakers (platform) VALUES ('meta') ON CONFLICT DO NOTHING"));
        assertThat(tenancy.<Long>systemWide("test", h -> h.createQuery("SELECT count(*) FROM circuit_breakers")
                .mapTo(Long.class).one())).isEqualTo(1);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("beds")
    void every_call_log_partition_forces_rls_also_one_added_later_and_the_tenant_reaches_none(PostgresBed bed) {
        Jdbi jdbi = database(bed);
        InstallationRoles roles = TestPostgres.roles(jdbi);
        Tenancy tenancy = new Tenancy(jdbi);
        assertThat(tenancy.<Boolean>systemWide("add a partition", h -> h.createQuery("SELECT add_api_call_partition(:d)")
                .bind("d", LocalDate.of(2031, 1, 2)).mapTo(Boolean.class).one())).isTrue();
        List<Map<String, Object>> partitions = jdbi.withHandle(h -> h.createQuery("""
                SELECT c.relname AS name, c.relrowsecurity AS enabled, c.relforcerowsecurity AS forced,
                       has_table_privilege(:tenant, c.oid, 'SELECT, INSERT, UPDATE, DELETE, TRUNCATE') AS tenant
                FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
                WHERE i.inhparent = 'cmis_platform.platform_api_calls'::regclass
                """).bind("tenant", roles.tenant()).mapToMap().list());
        assertThat(partitions).extracting(p -> p.get("name"))
                .contains("platform_api_calls_default", "platform_api_calls_20310102");
        assertThat(partitions).allSatisfy(p -> {
            assertThat(p.get("enabled")).as(p.get("name") + ": RLS enabled").isEqualTo(true);
            assertThat(p.get("forced")).as(p.get("name") + ": RLS forced").isEqualTo(true);
            assertThat(p.get("tenant")).as(p.get("name") + ": tenant privilege").isEqualTo(false);
        });
    }
}
