package io.cmis.platform.concurrent;

import io.cmis.platform.support.CliProcess;
import io.cmis.platform.support.CliRun;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The embedded default is shared by commands that run at the same time (a server and a cron job),
 * survives a command killed mid-run, and stops when its last user leaves.
 */
class EmbeddedDatabaseSharingTest {
    @TempDir
    Path dataDir;

    @Test
    void the_embedded_server_commits_durably() throws Exception {
        try (io.cmis.platform.store.EmbeddedPostgresServer server =
                     io.cmis.platform.store.EmbeddedPostgresServer.acquire(dataDir)) {
            org.postgresql.ds.PGSimpleDataSource ds = new org.postgresql.ds.PGSimpleDataSource();
            ds.setUrl(server.jdbcUrl());
            ds.setUser(server.user());
            ds.setPassword(server.password());
            java.util.List<String> settings = org.jdbi.v3.core.Jdbi.create(ds).withHandle(h -> h.createQuery(
                    "SELECT current_setting('synchronous_commit') || ',' || current_setting('fsync')")
                    .mapTo(String.class).list());
            // an acknowledged webhook is committed to disk, not only to memory
            assertThat(settings).containsExactly("on,on");
        }
    }

    @Test
    void two_commands_started_together_on_a_fresh_data_dir_both_work_and_the_server_stops_after() throws Exception {
        List<CliProcess> both = List.of(start("integrations", "list"), start("integrations", "list"));

        for (CliProcess p : both) {
            CliRun.Result result = p.finish();
            assertThat(result.exitCode()).as(result.toString()).isZero();
            assertThat(result.stdout()).contains("no integrations match");
        }
        assertThat(pidFile()).as("the last user stops the server").doesNotExist();
        assertThat(Files.readAllLines(dataDir.resolve("encryption.key"))).hasSize(1);
    }

    @Test
    void a_command_running_beside_a_long_one_works_and_leaves_the_server_to_it() throws Exception {
        String org = UUID.randomUUID().toString();
        CliProcess holder = start("integrations", "add", "meta", "--org", org, "--access-token", "-",
                "--external-id", "page-owner");
        holder.awaitOutput(TOKEN_PROMPT);

        CliRun.Result beside = start("integrations", "list").finish();
        assertThat(beside.exitCode()).as(beside.toString()).isZero();
        assertThat(pidFile()).as("still in use by the long command").exists();

        holder.send("EAAtokenfromstdin123456");
        CliRun.Result held = holder.finish();
        assertThat(held.exitCode()).as(held.toString()).isZero();
        assertThat(pidFile()).doesNotExist();
        assertThat(start("integrations", "list").finish().stdout()).contains("page-owner");
    }

    @Test
    void a_command_killed_while_it_holds_the_database_leaves_nothing_stuck() throws Exception {
        CliProcess victim = start("integrations", "add", "meta", "--org", UUID.randomUUID().toString(),
                "--access-token", "-", "--external-id", "never");
        victim.awaitOutput(TOKEN_PROMPT);

        victim.kill();

        CliRun.Result next = start("integrations", "list").finish();
        assertThat(next.exitCode()).as(next.toString()).isZero();
        assertThat(next.stdout()).contains("no integrations match");
        assertThat(pidFile()).as("the orphaned server was adopted and stopped").doesNotExist();
    }

    @Test
    void a_command_stopped_with_sigterm_stops_the_server_it_was_the_last_user_of() throws Exception {
        CliProcess stopped = start("integrations", "add", "meta", "--org", UUID.randomUUID().toString(),
                "--access-token", "-", "--external-id", "never");
        stopped.awaitOutput(TOKEN_PROMPT);

        stopped.process().toHandle().destroy(); // SIGTERM, as cron's timeout or systemd would send
        assertThat(stopped.process().waitFor(60, java.util.concurrent.TimeUnit.SECONDS)).isTrue();

        assertThat(pidFile()).doesNotExist();
    }

    @Test
    void a_cluster_left_half_made_by_a_kill_during_creation_is_made_again() throws Exception {
        Files.createDirectories(dataDir.resolve("postgres"));
        Files.writeString(dataDir.resolve("postgres/PG_VERSION"), "17\n");

        CliRun.Result result = start("integrations", "list").finish();

        assertThat(result.exitCode()).as(result.toString()).isZero();
    }

    private static final String TOKEN_PROMPT = "reading the access token from stdin";

    private CliProcess start(String... args) {
        return CliProcess.start(Map.of("CMIS_DATA_DIR", dataDir.toString()), args);
    }

    private Path pidFile() {
        return dataDir.resolve("postgres/postmaster.pid");
    }

}
