package io.cmis.platform.store;

import io.cmis.platform.support.CliRun;
import io.cmis.platform.support.TestKeys;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The usual managed-PostgreSQL setup: the tool connects as a role that owns its database and has
 * CREATEROLE, but is no superuser. Runs on a cluster of its own, where the roles do not exist yet.
 */
class NonSuperuserOwnerTest {
    private static EmbeddedPostgres cluster;

    @BeforeAll
    static void clusterWithAnOwnerRole() throws Exception {
        cluster = EmbeddedPostgres.builder().start();
        Jdbi.create(cluster.getPostgresDatabase()).useHandle(h -> {
            h.execute("CREATE ROLE cmis_owner LOGIN CREATEROLE NOSUPERUSER");
            h.execute("CREATE DATABASE cmis OWNER cmis_owner");
            h.execute("CREATE ROLE late_owner LOGIN CREATEROLE NOSUPERUSER");
            h.execute("CREATE DATABASE late OWNER late_owner");
        });
    }

    @AfterAll
    static void stop() throws Exception {
        cluster.close();
    }

    @Test
    void the_owner_migrates_creates_the_roles_and_works_under_rls_it_cannot_bypass() {
        CliRun cli = as("cmis_owner", "cmis");

        CliRun.Result unmigrated = cli.run("integrations", "list");
        assertThat(unmigrated.exitCode()).as(unmigrated.toString()).isEqualTo(2);
        assertThat(unmigrated.stderr()).contains("cmis-platform db migrate").doesNotContain("\tat ");

        assertThat(cli.run("db", "migrate").stdout()).contains("schema is at version " + io.cmis.platform.store.Schema.EXPECTED_VERSION);
        assertThat(cli.run("db", "migrate").stdout()).contains("up to date");

        String orgA = UUID.randomUUID().toString();
        String orgB = UUID.randomUUID().toString();
        cli.run("integrations", "add", "google", "--org", orgA, "--access-token", "ya29.tokenAAAAAAAA",
                "--refresh-token", "1//0refreshAAAAAAAA", "--expires-in", "3599", "--external-id", "acct-a").ok();
        cli.run("integrations", "add", "tiktok", "--org", orgB, "--access-token", "act.tokenBBBBBBBBB",
                "--external-id", "7000000000000000001").ok();

        CliRun.Result listA = cli.run("integrations", "list", "--org", orgA);
        assertThat(listA.stdout()).contains("acct-a").doesNotContain("7000000000000000001");
        assertThat(cli.run("integrations", "list").stdout()).contains("acct-a").contains("7000000000000000001");

        Jdbi owner = Jdbi.create(cluster.getDatabase("cmis_owner", "cmis"));
        Integer ownerSees = owner.withHandle(h -> h.createQuery("SELECT count(*) FROM cmis_platform.integrations")
                .mapTo(Integer.class).one());
        assertThat(ownerSees).as("the table owner without an org sees nothing: RLS is forced").isZero();
        Boolean superuser = owner.withHandle(h -> h.createQuery(
                "SELECT rolsuper OR rolbypassrls FROM pg_roles WHERE rolname = current_user").mapTo(Boolean.class).one());
        assertThat(superuser).isFalse();
    }

    @Test
    void a_second_owner_that_cannot_take_the_existing_roles_is_told_what_to_ask_for() {
        CliRun first = as("cmis_owner", "cmis");
        first.run("db", "migrate");
        CliRun late = as("late_owner", "late");

        CliRun.Result refused = late.run("db", "migrate");
        assertThat(refused.exitCode()).as(refused.toString()).isEqualTo(2);
        assertThat(refused.stderr()).contains("GRANT cmis_tenant, cmis_system TO late_owner")
                .doesNotContain("\tat ");

        Jdbi.create(cluster.getPostgresDatabase()).useHandle(h -> h.execute("GRANT cmis_tenant, cmis_system TO late_owner"));
        CliRun.Result migrated = late.run("db", "migrate");
        assertThat(migrated.exitCode()).as(migrated.toString()).isZero();
    }

    private static CliRun as(String user, String database) {
        return CliRun.withoutDatabase()
                .env("CMIS_DATABASE_URL", "jdbc:postgresql://127.0.0.1:" + cluster.getPort() + "/" + database)
                .env("CMIS_DATABASE_USER", user)
                .env("CMIS_ENCRYPTION_KEYS", TestKeys.K1);
    }
}
