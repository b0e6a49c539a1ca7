package io.cmis.platform.tenancy;

import io.cmis.platform.crypto.SecretColumns;
import io.cmis.platform.support.TestPostgres;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The schema itself keeps the tenancy and secrecy rules; these tests read the catalog. */
class CatalogTest {
    private static Jdbi jdbi;

    @BeforeAll
    static void database() {
        jdbi = TestPostgres.superuser(TestPostgres.freshDatabase());
    }

    @Test
    void every_table_with_an_org_id_has_rls_enabled_forced_and_a_tenant_policy() {
        List<Map<String, Object>> tables = jdbi.withHandle(h -> h.createQuery("""
                SELECT c.relname AS name, c.relrowsecurity AS enabled, c.relforcerowsecurity AS forced,
                       EXISTS (SELECT 1 FROM pg_policy p
                               WHERE p.polrelid = c.oid
                                 AND 'cmis_tenant'::regrole = ANY (p.polroles)) AS tenant_policy
                FROM pg_class c
                JOIN pg_namespace n ON n.oid = c.relnamespace
                WHERE n.nspname = 'cmis_platform' AND c.relkind IN ('r', 'p') AND NOT c.relispartition
                  AND EXISTS (SELECT 1 FROM pg_attribute a
                              WHERE a.attrelid = c.oid AND a.attname = 'org_id' AND NOT a.attisdropped)
                ORDER BY 1
                """).mapToMap().list());

        assertThat(tables).extracting(t -> t.get("name"))
                .containsExactlyInAnyOrderElementsOf(TenantIsolationTest.TENANT_TABLES);
        assertThat(tables).allSatisfy(t -> {
            assertThat(t.get("enabled")).as(t.get("name") + " RLS enabled").isEqualTo(true);
            assertThat(t.get("forced")).as(t.get("name") + " RLS forced").isEqualTo(true);
            assertThat(t.get("tenant_policy")).as(t.get("name") + " tenant policy").isEqualTo(true);
        });
    }

    @Test
    void a_partition_is_reached_only_through_its_table_or_is_held_to_rls_itself() {
        List<Map<String, Object>> partitions = jdbi.withHandle(h -> h.createQuery("""
                SELECT c.relname AS name, c.relrowsecurity AS enabled,
                       has_table_privilege('cmis_tenant', c.oid, 'SELECT, INSERT, UPDATE, DELETE') AS tenant,
                       has_table_privilege('cmis_system', c.oid, 'SELECT, INSERT, UPDATE, DELETE') AS system
                FROM pg_class c
                JOIN pg_namespace n ON n.oid = c.relnamespace
                WHERE n.nspname = 'cmis_platform' AND c.relispartition AND c.relkind = 'r'
                """).mapToMap().list());
        assertThat(partitions).extracting(p -> p.get("name")).contains("platform_api_calls_default");
        assertThat(partitions).allSatisfy(p -> {
            assertThat(p.get("tenant")).as(p.get("name") + ": no tenant privilege").isEqualTo(false);
            if (Boolean.TRUE.equals(p.get("system"))) {
                assertThat(p.get("enabled")).as(p.get("name") + ": RLS enabled").isEqualTo(true);
            }
        });
    }

    @Test
    void no_application_role_bypasses_rls() {
        List<Boolean> bypass = jdbi.withHandle(h -> h.createQuery(
                "SELECT rolbypassrls OR rolsuper FROM pg_roles WHERE rolname IN ('cmis_tenant', 'cmis_system')")
                .mapTo(Boolean.class).list());
        assertThat(bypass).containsExactly(false, false);
    }

    @Test
    void every_encrypted_column_is_known_to_key_rotation() {
        List<String> columns = jdbi.withHandle(h -> h.createQuery("""
                SELECT table_name || '.' || column_name FROM information_schema.columns
                WHERE table_schema = 'cmis_platform' AND column_name LIKE '%\\_enc'
                """).mapTo(String.class).list());
        assertThat(columns).containsExactlyInAnyOrderElementsOf(
                SecretColumns.ALL.stream().map(c -> c.table() + "." + c.column()).toList());
    }

    @Test
    void every_table_with_a_secret_binds_it_to_a_non_null_org_and_a_uuid_id() {
        // The associated data of every ciphertext is (table, column, org_id, id): both must exist and be set.
        for (SecretColumns.Column column : SecretColumns.ALL) {
            List<String> keys = jdbi.withHandle(h -> h.createQuery("""
                    SELECT column_name || ' ' || data_type || ' ' || is_nullable FROM information_schema.columns
                    WHERE table_schema = 'cmis_platform' AND table_name = :table AND column_name IN ('id', 'org_id')
                    ORDER BY column_name
                    """).bind("table", column.table()).mapTo(String.class).list());
            assertThat(keys).as(column.qualified()).containsExactly("id uuid NO", "org_id uuid NO");
        }
    }

    @Test
    void no_column_is_meant_for_plain_tokens() {
        List<String> suspicious = jdbi.withHandle(h -> h.createQuery("""
                SELECT table_name || '.' || column_name FROM information_schema.columns
                WHERE table_schema = 'cmis_platform'
                  AND column_name ~ '(token|secret|verifier)' AND column_name NOT LIKE '%\\_enc'
                  AND column_name NOT IN ('token_expires_at', 'refresh_token_expires_at', 'token_kind')
                """).mapTo(String.class).list());
        assertThat(suspicious).isEmpty();
    }
}
