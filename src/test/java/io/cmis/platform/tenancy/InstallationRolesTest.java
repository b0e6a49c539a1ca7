package io.cmis.platform.tenancy;

import io.cmis.platform.store.Schema;
import io.cmis.platform.support.PostgresBed;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Two installations on one server: a role of one (its owner, its tenant or system role, or the
 * roles every database shared up to version 10) can neither connect to the other nor read it.
 */
class InstallationRolesTest {
    static List<PostgresBed> beds() {
        return List.of(PostgresBed.embedded(), PostgresBed.postgres15());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("beds")
    void the_owner_of_another_installation_cannot_connect_nor_read_through_any_role_it_holds(PostgresBed bed) {
        Installation a = Installation.migrated(bed);
        Installation b = Installation.migrated(bed);
        OrgId org = OrgId.parse(UUID.randomUUID().toString());
        a.tenancy().inOrgDo(org, h -> h.execute(
                "INSERT INTO integrations (id, org_id, platform, external_account_id) VALUES (?, ?, 'meta', 'a-secret')",
                UUID.randomUUID(), org.value()));

        assertThat(a.roles()).isNotEqualTo(b.roles());
        assertThat(a.roles().tenant()).isNotEqualTo(InstallationRoles.LEGACY.tenant());
        assertThatThrownBy(() -> bed.as(a.database, b.owner).useHandle(h -> h.execute("SELECT 1")))
                .hasMessageContaining("permission denied for database");

        // Even with CONNECT (an administrator's slip), no role B's owner holds reaches A's rows.
        bed.superuser(a.database).useHandle(h -> h.execute("GRANT CONNECT ON DATABASE " + a.database + " TO " + b.owner));
        Jdbi intruder = bed.as(a.database, b.owner);
        for (String role : List.of(b.roles().system(), b.roles().tenant(), "cmis_system", "cmis_tenant", b.owner)) {
            assertThatThrownBy(() -> intruder.useHandle(h -> {
                h.execute("SET ROLE " + role);
                h.execute("SELECT set_config('cmis.org_id', ?, false)", org.toString());
                h.createQuery("SELECT count(*) FROM cmis_platform.integrations").mapTo(Long.class).one();
            })).as(role).hasMessageContaining("permission denied");
        }
        // And the catalog agrees: nothing of A's schema is granted to any of them.
        for (String role : List.of(b.roles().system(), b.roles().tenant(), "cmis_system", "cmis_tenant")) {
            assertThat(privilegesIn(bed.superuser(a.database), role)).as(role).isEmpty();
        }
        // A's own owner still works as before.
        assertThat(a.tenancy().<List<String>>systemWide("test", h -> h.createQuery("SELECT external_account_id FROM integrations")
                .mapTo(String.class).list())).containsExactly("a-secret");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("beds")
    void a_database_at_version_10_keeps_its_rows_and_the_shared_roles_keep_nothing(PostgresBed bed) {
        Installation old = Installation.create(bed);
        Schema.configure(bed.dataSource(old.database, old.owner), InstallationRoles.derive(old.database))
                .target("10").load().migrate();
        OrgId x = OrgId.parse(UUID.randomUUID().toString());
        OrgId y = OrgId.parse(UUID.randomUUID().toString());
        Jdbi owner = bed.as(old.database, old.owner);
        owner.useHandle(h -> {
            // What version 10's runtime did: the shared roles, set locally.
            for (OrgId org : List.of(x, y)) {
                h.inTransaction(t -> {
                    t.execute("SET LOCAL ROLE cmis_tenant");
                    t.execute("SELECT set_config('cmis.org_id', ?, true)", org.toString());
                    t.execute("INSERT INTO cmis_platform.integrations (id, org_id, platform, external_account_id) "
                            + "VALUES (?, ?, 'meta', ?)", UUID.randomUUID(), org.value(), "acct-" + org);
                    return null;
                });
            }
            h.inTransaction(t -> {
                t.execute("SET LOCAL ROLE cmis_system");
                t.execute("INSERT INTO cmis_platform.platform_api_calls (org_id, platform, method, endpoint, outcome, duration_ms) "
                        + "VALUES (?, 'meta', 'GET', '/me', 'success', 12)", x.value());
                return null;
            });
        });

        Schema.migrate(bed.dataSource(old.database, old.owner));

        Tenancy tenancy = new Tenancy(owner);
        assertThat(tenancy.roles()).isEqualTo(InstallationRoles.derive(old.database));
        assertThat(tenancy.<List<String>>inOrg(x, h -> h.createQuery("SELECT external_account_id FROM integrations")
                .mapTo(String.class).list())).containsExactly("acct-" + x);
        assertThat(tenancy.<Long>systemWide("test", h -> h.createQuery("SELECT count(*) FROM integrations")
                .mapTo(Long.class).one())).isEqualTo(2);
        assertThat(tenancy.<Long>systemWide("test", h -> h.createQuery("SELECT count(*) FROM platform_api_calls")
                .mapTo(Long.class).one())).isEqualTo(1);
        for (String legacy : List.of("cmis_tenant", "cmis_system")) {
            assertThatThrownBy(() -> owner.useHandle(h -> {
                h.execute("SET ROLE " + legacy);
                h.execute("SELECT set_config('cmis.org_id', ?, false)", x.toString());
                h.createQuery("SELECT count(*) FROM cmis_platform.integrations").mapTo(Long.class).one();
            })).as(legacy).hasMessageContaining("permission denied");
            assertThat(privilegesIn(bed.superuser(old.database), legacy)).as(legacy).isEmpty();
        }
        assertThat(bed.superuser(old.database).<Long, RuntimeException>withHandle(h -> h.createQuery("""
                SELECT count(*) FROM pg_policy
                WHERE EXISTS (SELECT 1 FROM unnest(polroles) r JOIN pg_roles o ON o.oid = r
                              WHERE o.rolname IN ('cmis_tenant', 'cmis_system'))
                   OR pg_get_expr(polqual, polrelid) LIKE '%cmis_system%'
                """).mapTo(Long.class).one())).as("policies naming the shared roles").isZero();
    }

    @org.junit.jupiter.api.Test
    void a_role_taken_in_advance_by_another_owner_is_refused_not_adopted() {
        PostgresBed bed = PostgresBed.embedded(); // PostgreSQL 17: it records who administers a role
        Installation victim = Installation.create(bed);
        String squatter = bed.unique("squatter");
        bed.createRole(squatter, "CREATEROLE");
        InstallationRoles planned = InstallationRoles.derive(victim.database());
        bed.as("postgres", squatter).useHandle(h -> h.execute("CREATE ROLE " + planned.system() + " NOLOGIN"));

        assertThatThrownBy(() -> Schema.migrate(bed.dataSource(victim.database(), victim.owner())))
                .hasStackTraceContaining("is administered by another role");
        assertThat(bed.superuser(victim.database()).<Boolean, RuntimeException>withHandle(h -> h.createQuery(
                "SELECT to_regclass('cmis_platform.installation_roles') IS NULL").mapTo(Boolean.class).one())).isTrue();
    }

    @org.junit.jupiter.api.Test
    void a_role_prefix_used_by_another_installation_of_the_server_is_refused_not_shared() {
        String first = io.cmis.platform.support.TestPostgres.emptyDatabase();
        String second = io.cmis.platform.support.TestPostgres.emptyDatabase();
        Schema.migrate(io.cmis.platform.support.TestPostgres.dataSource(first, "postgres"), java.util.Optional.of("twice"));

        assertThatThrownBy(() -> Schema.migrate(io.cmis.platform.support.TestPostgres.dataSource(second, "postgres"),
                java.util.Optional.of("twice")))
                .hasStackTraceContaining("twice_tenant already holds privileges in another database");
        // Stopped before version 11, whose transaction left nothing behind.
        assertThat(Schema.currentVersion(io.cmis.platform.support.TestPostgres.superuser(second))).contains(10);
        boolean recorded = io.cmis.platform.support.TestPostgres.superuser(second).withHandle(h -> h.createQuery(
                "SELECT to_regclass('cmis_platform.installation_roles') IS NOT NULL").mapTo(Boolean.class).one());
        assertThat(recorded).isFalse();
        // The first installation keeps its roles, alone.
        String tenant = io.cmis.platform.support.TestPostgres.superuser(first).withHandle(h -> h.createQuery(
                "SELECT tenant_role FROM cmis_platform.installation_roles").mapTo(String.class).one());
        assertThat(tenant).isEqualTo("twice_tenant");
    }

    @org.junit.jupiter.api.Test
    void role_names_are_the_databases_own_never_the_shared_ones_and_fit_in_63_bytes() {
        assertThat(InstallationRoles.derive("cmis")).isEqualTo(new InstallationRoles("cmis_cmis_tenant", "cmis_cmis_system"));
        assertThat(InstallationRoles.ofPrefix("shop_eu").system()).isEqualTo("shop_eu_system");
        // Names that fold to the same plain name, or that are too long, get a hash of the real one.
        assertThat(InstallationRoles.derive("my-db")).isNotEqualTo(InstallationRoles.derive("my_db"));
        assertThat(InstallationRoles.derive("My_DB")).isNotEqualTo(InstallationRoles.derive("my_db"));
        String longName = "a".repeat(63);
        InstallationRoles roles = InstallationRoles.derive(longName);
        assertThat(roles.tenant().length()).isLessThanOrEqualTo(63);
        assertThat(roles).isNotEqualTo(InstallationRoles.derive("a".repeat(62)));
        assertThat(InstallationRoles.prefixProblem("cmis")).contains("shared");
    }

    /** Every privilege {@code role} holds (itself or through PUBLIC does not count) in the schema and database. */
    static List<String> privilegesIn(Jdbi superuser, String role) {
        return superuser.withHandle(h -> h.createQuery("""
                SELECT c.relname || ': ' || a.privilege_type
                FROM pg_class c, aclexplode(c.relacl) a
                WHERE c.relnamespace = 'cmis_platform'::regnamespace AND a.grantee = to_regrole(:role)
                UNION ALL
                SELECT p.proname || ': ' || a.privilege_type
                FROM pg_proc p, aclexplode(p.proacl) a
                WHERE p.pronamespace = 'cmis_platform'::regnamespace AND a.grantee = to_regrole(:role)
                UNION ALL
                SELECT 'schema: ' || a.privilege_type
                FROM pg_namespace n, aclexplode(n.nspacl) a
                WHERE n.nspname = 'cmis_platform' AND a.grantee = to_regrole(:role)
                UNION ALL
                SELECT 'database: ' || a.privilege_type
                FROM pg_database d, aclexplode(d.datacl) a
                WHERE d.datname = current_database() AND a.grantee = to_regrole(:role)
                UNION ALL
                SELECT 'policy ' || pol.polname || ' on ' || pol.polrelid::regclass
                FROM pg_policy pol WHERE to_regrole(:role) = ANY (pol.polroles)
                """).bind("role", role).mapTo(String.class).list());
    }

    /** One installation: its database and the owner that migrates it (an owner with CREATEROLE, as before version 11). */
    record Installation(PostgresBed bed, String database, String owner) {
        static Installation create(PostgresBed bed) {
            String owner = bed.unique("owner");
            bed.createRole(owner, "CREATEROLE");
            // What version 1 asked an administrator for where the shared roles already existed.
            bed.superuser("postgres").useHandle(h -> h.execute("""
                    DO $$ BEGIN
                        IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'cmis_tenant') THEN CREATE ROLE cmis_tenant; END IF;
                        IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'cmis_system') THEN CREATE ROLE cmis_system; END IF;
                    EXCEPTION WHEN duplicate_object THEN NULL;
                    END $$"""));
            bed.superuser("postgres").useHandle(h -> h.execute("GRANT cmis_tenant, cmis_system TO " + owner));
            return new Installation(bed, bed.createDatabase(owner), owner);
        }

        static Installation migrated(PostgresBed bed) {
            Installation i = create(bed);
            Schema.migrate(bed.dataSource(i.database, i.owner));
            return i;
        }

        Tenancy tenancy() {
            return new Tenancy(bed.as(database, owner));
        }

        InstallationRoles roles() {
            return tenancy().roles();
        }
    }
}
