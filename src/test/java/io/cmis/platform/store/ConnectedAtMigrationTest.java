package io.cmis.platform.store;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.flywaydb.core.Flyway;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import javax.sql.DataSource;
import java.time.Instant;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * An installation at version 10 upgrades: its integrations get {@code connected_at} from when they
 * were last written (a reconnect rewrites the row; no earlier time is known to be safe), although the owner migrating it is no superuser and row-level security is forced on
 * it; the forcing stays.
 */
class ConnectedAtMigrationTest {
    private static EmbeddedPostgres cluster;

    @BeforeAll
    static void clusterWithAnOwnerRole() throws Exception {
        cluster = EmbeddedPostgres.builder().start();
        Jdbi.create(cluster.getPostgresDatabase()).useHandle(h -> {
            h.execute("CREATE ROLE upgrade_owner LOGIN CREATEROLE NOSUPERUSER");
            h.execute("CREATE DATABASE upgrade OWNER upgrade_owner");
        });
    }

    @AfterAll
    static void stop() throws Exception {
        cluster.close();
    }

    @Test
    void existing_integrations_are_backfilled_with_their_last_write_by_a_non_superuser_owner() {
        DataSource owner = cluster.getDatabase("upgrade_owner", "upgrade");
        Flyway.configure().dataSource(owner).schemas(Schema.NAME).locations("classpath:db/migration").target("10")
                .load().migrate();
        Jdbi superuser = Jdbi.create(cluster.getDatabase("postgres", "upgrade"));
        UUID id = UUID.randomUUID();
        Instant created = Instant.parse("2026-01-02T03:04:05Z");
        Instant reconnected = Instant.parse("2026-03-04T05:06:07Z");
        superuser.useHandle(h -> h.createUpdate("""
                        INSERT INTO cmis_platform.integrations (id, org_id, platform, external_account_id, created_at, updated_at)
                        VALUES (:id, :org, 'tiktok', 'act.before-upgrade', :created, :updated)
                        """).bind("id", id).bind("org", UUID.randomUUID())
                .bind("created", java.sql.Timestamp.from(created))
                .bind("updated", java.sql.Timestamp.from(reconnected)).execute());

        Schema.migrate(owner);

        Instant connected = superuser.withHandle(h -> h.createQuery(
                        "SELECT connected_at FROM cmis_platform.integrations WHERE id = :id")
                .bind("id", id).mapTo(java.sql.Timestamp.class).one()).toInstant();
        // A revocation signed between the first connect and a reconnect before the upgrade revokes nothing.
        assertThat(connected).isEqualTo(reconnected);
        Boolean forced = superuser.withHandle(h -> h.createQuery(
                "SELECT relforcerowsecurity FROM pg_class WHERE oid = 'cmis_platform.integrations'::regclass")
                .mapTo(Boolean.class).one());
        assertThat(forced).as("row-level security is forced again").isTrue();
    }
}
