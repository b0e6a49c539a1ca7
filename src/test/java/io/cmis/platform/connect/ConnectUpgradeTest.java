package io.cmis.platform.connect;

import io.cmis.platform.sandbox.Sandbox;
import io.cmis.platform.store.Schema;
import io.cmis.platform.support.CliRun;
import io.cmis.platform.support.PlatformTestBed;
import io.cmis.platform.support.TestPostgres;
import org.flywaydb.core.Flyway;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.Test;

import java.sql.Timestamp;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/** V15 (browser-bound flows) on a database with connect flows in progress, as an installation upgrades. */
class ConnectUpgradeTest {

    @Test
    void a_flow_started_before_the_upgrade_survives_it_as_a_command_line_flow() throws Exception {
        String database = TestPostgres.emptyDatabase();
        Flyway.configure().dataSource(TestPostgres.dataSource(database, "postgres")).schemas(Schema.NAME)
                .locations("classpath:db/migration").target("10").load().migrate();
        Jdbi jdbi = TestPostgres.superuser(database);
        try (PlatformTestBed bed = new PlatformTestBed()) {
            String state = "s-started-before-the-upgrade-0123456789";
            UUID org = UUID.randomUUID();
            jdbi.useHandle(h -> h.execute("""
                    INSERT INTO cmis_platform.oauth_states (id, org_id, platform, state_hash, redirect_uri, scopes,
                        token_kind, expires_at) VALUES (?, ?, 'meta', ?, ?, 'ads_read', 'user', ?)""",
                    UUID.randomUUID(), org, ConnectService.hash(state), Sandbox.CALLBACK_BASE + "meta",
                    Timestamp.from(bed.clock.instant().plusSeconds(600))));

            Schema.migrate(TestPostgres.dataSource(database, "postgres"));

            String row = jdbi.withHandle(h -> h.createQuery("SELECT row_to_json(s)::text FROM cmis_platform.oauth_states s")
                    .mapTo(String.class).one());
            assertThat(row).contains(ConnectService.hash(state)).contains("\"browser_hash\":null")
                    .contains("\"start_hash\":null");
            CliRun cli = CliRun.against(database).clock(bed.clock);
            bed.sandbox.environment().forEach(cli::env);
            String code = bed.sandbox.meta().issueCode(Sandbox.CALLBACK_BASE + "meta");
            String done = cli.run("--json", "connect", "complete", "--state", state, "--code", code).ok().stdout();
            assertThat(done).contains(org.toString()).contains("\"meta\"");
        }
    }
}
