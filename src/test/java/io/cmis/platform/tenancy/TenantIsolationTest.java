package io.cmis.platform.tenancy;

import io.cmis.platform.crypto.Keyring;
import io.cmis.platform.crypto.Secret;
import io.cmis.platform.crypto.TokenVault;
import io.cmis.platform.integrations.ImportedToken;
import io.cmis.platform.integrations.Integration;
import io.cmis.platform.integrations.IntegrationFilter;
import io.cmis.platform.integrations.IntegrationRepository;
import io.cmis.platform.integrations.IntegrationService;
import io.cmis.platform.integrations.IntegrationStatus;
import io.cmis.platform.support.TestKeys;
import io.cmis.platform.support.TestPostgres;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.UnableToExecuteStatementException;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Org A can never read, change or delete org B's rows, and no org set means no rows. */
class TenantIsolationTest {
    private static final OrgId A = new OrgId(UUID.randomUUID());
    private static final OrgId B = new OrgId(UUID.randomUUID());
    /** Every table that holds org data; the catalog test checks this list is complete. */
    static final List<String> TENANT_TABLES = List.of("integrations", "oauth_states", "channels", "ad_accounts",
            "webhook_events", "platform_api_calls", "notifications", "sync_runs", "sync_leases", "api_keys",
            "credential_reads");

    private static Jdbi jdbi;
    private static Tenancy tenancy;
    private static Integration inA;
    private static Integration inB;

    @BeforeAll
    static void twoOrgsWithOneRowInEveryTenantTable() {
        jdbi = TestPostgres.superuser(TestPostgres.freshDatabase());
        tenancy = new Tenancy(jdbi);
        IntegrationService service = new IntegrationService(tenancy,
                new TokenVault(Keyring.parse(TestKeys.K1), new SecureRandom()), Clock.systemUTC());
        inA = add(service, A, "a-1");
        inB = add(service, B, "b-1");
        for (Integration i : List.of(inA, inB)) {
            jdbi.useHandle(h -> SampleRows.insertAll(h, i.orgId(), i.id()));
        }
    }

    /**
     * Jdbi lends a call nested in another on the same thread the outer call's handle, in its
     * transaction: a system-wide unit inside an org's (a token refresh's breaker bookkeeping inside the
     * refresh) left the rest of the org's transaction on the system role, which sees every org; an org
     * unit inside another's left it in the inner org. The outer unit keeps its own.
     */
    @Test
    void a_unit_nested_in_an_org_unit_leaves_the_outer_with_its_own_org_and_role() {
        List<String> after = tenancy.inOrg(A, h -> {
            tenancy.systemWide("test: nested", n -> n.createQuery("SELECT count(*) FROM integrations")
                    .mapTo(Integer.class).one());
            String afterSystem = current(h, "role") + " " + current(h, "cmis.org_id");
            tenancy.inOrg(B, n -> n.createQuery("SELECT count(*) FROM integrations").mapTo(Integer.class).one());
            tenancy.inOrgStatement(B, "SELECT count(*) FROM integrations", statement -> { }, rows -> rows.next());
            List<UUID> seen = h.createQuery("SELECT id FROM integrations").mapTo(UUID.class).list();
            return List.of(afterSystem, current(h, "role") + " " + current(h, "cmis.org_id"), seen.toString());
        });
        String own = tenancy.roles().tenant() + " " + A;
        assertThat(after).containsExactly(own, own, List.of(inA.id()).toString());
    }

    /** The webhook workers' batch lends its handle to nothing: an effect nested in it commits on its own. */
    @Test
    void a_unit_nested_in_a_system_unit_apart_runs_and_commits_on_a_connection_of_its_own() {
        String[] sessions = tenancy.systemWideApart("test: apart", h -> new String[] {
                h.createQuery("SELECT pg_backend_pid()::text").mapTo(String.class).one(),
                tenancy.inOrg(A, n -> n.createQuery("SELECT pg_backend_pid()::text").mapTo(String.class).one())});
        assertThat(sessions[1]).isNotEqualTo(sessions[0]);
    }

    private static String current(org.jdbi.v3.core.Handle h, String setting) {
        return h.createQuery("SELECT current_setting(:s, true)").bind("s", setting).mapTo(String.class).one();
    }

    @Test
    void a_repository_in_org_a_lists_only_org_a() {
        List<Integration> seen = tenancy.inOrg(A, h -> new IntegrationRepository(h).list(IntegrationFilter.all()));
        assertThat(seen).extracting(Integration::id).containsExactly(inA.id());
    }

    @Test
    void a_repository_in_org_a_cannot_find_update_or_delete_org_b() {
        tenancy.inOrgDo(A, h -> {
            IntegrationRepository repository = new IntegrationRepository(h);
            assertThat(repository.find(inB.id())).isEmpty();
            assertThat(repository.setStatus(inB.id(), IntegrationStatus.DISABLED, "attack", Instant.now())).isFalse();
            assertThat(h.execute("DELETE FROM integrations WHERE id = ?", inB.id())).isZero();
        });
        assertThat(tenancy.inOrg(B, h -> new IntegrationRepository(h).find(inB.id())).orElseThrow().status())
                .isEqualTo(IntegrationStatus.ACTIVE);
    }

    @Test
    void in_every_tenant_table_org_a_sees_changes_and_deletes_only_its_own_rows() {
        for (String table : TENANT_TABLES) {
            Integer visible = tenancy.inOrg(A, h -> h.createQuery("SELECT count(*) FROM " + table).mapTo(Integer.class).one());
            Integer foreignVisible = tenancy.inOrg(A, h -> h.createQuery(
                    "SELECT count(*) FROM " + table + " WHERE org_id = :b").bind("b", B.value()).mapTo(Integer.class).one());
            Integer updatedForeign = writeOrRefused(table, "UPDATE", "UPDATE " + table + " SET org_id = org_id WHERE org_id = :b");
            Integer deletedForeign = writeOrRefused(table, "DELETE", "DELETE FROM " + table + " WHERE org_id = :b");

            assertThat(visible).as(table).isEqualTo(1);
            assertThat(foreignVisible).as(table).isZero();
            assertThat(updatedForeign).as(table).isZero();
            assertThat(deletedForeign).as(table).isZero();
        }
        Integer bRows = jdbi.withHandle(h -> h.createQuery("SELECT count(*) FROM integrations WHERE org_id = :b")
                .bind("b", B.value()).mapTo(Integer.class).one());
        assertThat(bRows).isEqualTo(1);
    }

    @Test
    void org_a_cannot_write_a_row_into_org_b_nor_move_its_row_there() {
        assertThatThrownBy(() -> tenancy.inOrgDo(A, h -> h.execute(
                "INSERT INTO integrations (id, org_id, platform, external_account_id) VALUES (?, ?, 'meta', 'x')",
                UUID.randomUUID(), B.value())))
                .isInstanceOf(UnableToExecuteStatementException.class)
                .hasMessageContaining("row-level security");
        assertThatThrownBy(() -> tenancy.inOrgDo(A, h -> h.execute(
                "UPDATE integrations SET org_id = ? WHERE id = ?", B.value(), inA.id())))
                .hasMessageContaining("row-level security");
    }

    @Test
    void with_no_org_set_the_tenant_role_sees_nothing() {
        for (String table : TENANT_TABLES) {
            Integer count = jdbi.inTransaction(h -> {
                h.execute("SET LOCAL ROLE " + tenancy.roles().tenant());
                return h.createQuery("SELECT count(*) FROM " + table).mapTo(Integer.class).one();
            });
            assertThat(count).as(table).isZero();
        }
    }

    @Test
    void the_org_setting_does_not_outlive_its_transaction() {
        tenancy.inOrg(A, h -> new IntegrationRepository(h).list(IntegrationFilter.all()));
        Integer afterwards = jdbi.inTransaction(h -> {
            h.execute("SET LOCAL ROLE " + tenancy.roles().tenant());
            return h.createQuery("SELECT count(*) FROM integrations").mapTo(Integer.class).one();
        });
        assertThat(afterwards).isZero();
    }

    @Test
    void the_system_path_sees_every_org() {
        List<Integration> all = tenancy.systemWide("test", h -> new IntegrationRepository(h).list(IntegrationFilter.all()));
        assertThat(all).extracting(Integration::id).contains(inA.id(), inB.id());
    }

    /**
     * Rows org A changed in org B with {@code sql}: zero by row-level security; or, where the tenant role
     * does not hold the privilege at all (the credential-read audit is append-only), refused outright.
     */
    private static Integer writeOrRefused(String table, String privilege, String sql) {
        boolean granted = jdbi.withHandle(h -> h.createQuery("SELECT has_table_privilege(:role, :table, :privilege)")
                .bind("role", tenancy.roles().tenant()).bind("table", "cmis_platform." + table).bind("privilege", privilege)
                .mapTo(Boolean.class).one());
        if (granted) {
            return tenancy.inOrg(A, h -> h.createUpdate(sql).bind("b", B.value()).execute());
        }
        assertThatThrownBy(() -> tenancy.inOrg(A, h -> h.createUpdate(sql).bind("b", B.value()).execute()))
                .as(table + " " + privilege).hasMessageContaining("permission denied");
        return 0;
    }

    private static Integration add(IntegrationService service, OrgId org, String account) {
        return service.add(new ImportedToken(org, "meta", account, Secret.of("EAAtoken" + account),
                Optional.empty(), Optional.empty(), "user", null)).integration();
    }
}
