package io.cmis.platform.store;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Attacks the embedded server as another account on the same host would: it can reach 127.0.0.1,
 * so only the password (0600 in the 0700 data dir) may stand between it and a superuser login
 * that reads {@code encryption.key} and runs programs.
 */
class EmbeddedDatabaseLoginTest {
    @TempDir
    Path dataDir;

    @Test
    void a_login_without_the_password_is_refused_and_the_password_file_is_the_owners_only() throws Exception {
        try (EmbeddedPostgresServer server = EmbeddedPostgresServer.acquire(dataDir)) {
            assertRefused(server.port(), null);
            assertRefused(server.port(), "postgres");
            assertThat(query(server.port(), server.password(), "SELECT current_user")).isEqualTo("postgres");

            Path file = dataDir.resolve(EmbeddedPassword.FILE);
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dataDir))).isEqualTo("rwx------");
            assertThat(server.password()).hasSizeGreaterThanOrEqualTo(43); // 256 random bits
            assertThat(Files.readString(dataDir.resolve("postgres/pg_hba.conf"))).doesNotContain("trust");
            // No Unix socket in /tmp, where the binaries' default would put one for every account.
            assertThat(Path.of("/tmp/.s.PGSQL." + server.port())).doesNotExist();
        }
    }

    @Test
    void a_cluster_made_by_an_older_version_trusting_every_login_gets_the_password_and_keeps_its_data() throws Exception {
        // The old way: trust on 127.0.0.1, a table with data, and what any local account could plant
        // then: the tool's own login role made a superuser with a password of its choosing, a setting.
        Path cluster = oldCluster("CREATE TABLE kept (v text); INSERT INTO kept VALUES ('org data');"
                + "CREATE ROLE cmis_runtime LOGIN SUPERUSER PASSWORD 'planted';"
                + "ALTER SYSTEM SET work_mem = '7777kB'");
        assertThat(Files.readString(cluster.resolve("pg_hba.conf"))).contains("trust");

        try (Database database = Database.open(EMBEDDED, dataDir)) {
            EmbeddedPostgresServer server = database.embeddedServer();
            assertRefused(server.port(), null);
            assertRefused(server.port(), "anything");
            assertThat(query(server.port(), server.password(), "SELECT v FROM kept")).isEqualTo("org data");
            assertThat(Files.readString(cluster.resolve("pg_hba.conf"))).doesNotContain("trust");
            assertThat(query(server.port(), server.password(), "SELECT current_setting('work_mem')")).isNotEqualTo("7777kB");
            assertThat(query(server.port(), server.password(),
                    "SELECT rolsuper::text FROM pg_roles WHERE rolname = 'cmis_runtime'")).isEqualTo("false");
            assertThatThrownBy(() -> loginAs(server.port(), "cmis_runtime", "planted").close())
                    .hasMessageContaining("password authentication failed");
        }
    }

    @Test
    void a_login_role_someone_planted_while_every_login_was_trusted_is_refused_by_name() throws Exception {
        oldCluster("CREATE ROLE intruder LOGIN PASSWORD 'x'");
        assertThatThrownBy(() -> Database.open(EMBEDDED, dataDir).close())
                .isInstanceOf(DatabaseUnavailableException.class)
                .hasMessageContaining("intruder")
                .hasMessageNotContaining("x'");
    }

    private static final io.cmis.platform.config.DatabaseSettings EMBEDDED = new io.cmis.platform.config.DatabaseSettings(
            java.util.Optional.empty(), "", "", 4, io.cmis.platform.config.DatabaseSettings.Pooler.NONE,
            java.util.Optional.empty(), "", "", java.util.Optional.empty());

    /** A cluster as versions before the password made it, stopped, with {@code sql} run in it. */
    private Path oldCluster(String sql) throws Exception {
        Path cluster = EmbeddedPostgresServer.clusterDir(dataDir);
        try (EmbeddedPostgres old = EmbeddedPostgres.builder().setDataDirectory(cluster).setCleanDataDirectory(false)
                .setRegisterShutdownHook(false).setServerConfig("listen_addresses", "127.0.0.1").start();
             Connection c = login(old.getPort(), null); Statement s = c.createStatement()) {
            for (String statement : sql.split(";")) {
                s.execute(statement); // one at a time: ALTER SYSTEM refuses to share a message
            }
        }
        Files.writeString(cluster.resolve("cmis-initialized"), "");
        return cluster;
    }

    @Test
    void the_tool_works_as_a_role_that_owns_nothing_and_only_migrations_run_as_the_superuser() throws Exception {
        Files.writeString(dataDir.resolve("encryption.key"), "k1:not-a-real-key");
        try (Database database = Database.open(EMBEDDED, dataDir)) {
            assertThat(database.schemaVersion()).isEmpty();
            database.migrate(java.util.Optional.empty());
            assertThat(database.schemaVersion()).contains(Schema.EXPECTED_VERSION);
            org.jdbi.v3.core.Jdbi work = database.jdbi();
            String who = work.withHandle(h -> h.createQuery(
                    "SELECT current_user || ' ' || rolsuper || ' ' || rolcreaterole FROM pg_roles WHERE rolname = current_user")
                    .mapTo(String.class).one());
            assertThat(who).isEqualTo("cmis_runtime false false");
            // It does the work: the tenant and system paths open for it.
            io.cmis.platform.tenancy.Tenancy tenancy = new io.cmis.platform.tenancy.Tenancy(work);
            int integrations = tenancy.systemWide("test", h -> h.createQuery("SELECT count(*) FROM integrations")
                    .mapTo(Integer.class).one());
            assertThat(integrations).isZero();
            // And nothing more: the key file, a program, the migrations' history, RLS.
            for (String attack : List.of("SELECT pg_read_file('../encryption.key')",
                    "COPY (SELECT 1) TO PROGRAM 'id'", "CREATE ROLE intruder SUPERUSER",
                    "DELETE FROM cmis_platform.flyway_schema_history",
                    "ALTER TABLE cmis_platform.integrations NO FORCE ROW LEVEL SECURITY")) {
                assertThatThrownBy(() -> work.useHandle(h -> h.execute(attack)))
                        .as(attack).hasMessageMatching("(?s).*(permission denied|must be owner).*");
            }
        }
    }

    @Test
    void another_account_on_the_host_can_neither_log_in_nor_read_the_password() throws Exception {
        assumeTrue("root".equals(System.getProperty("user.name")), "needs root to act as another account");
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/psql")) && Files.isExecutable(Path.of("/usr/sbin/runuser")),
                "needs psql and runuser");
        try (EmbeddedPostgresServer server = EmbeddedPostgresServer.acquire(dataDir)) {
            Result login = runAsNobody("/usr/bin/psql", "-h", "127.0.0.1", "-p", String.valueOf(server.port()),
                    "-U", "postgres", "-w", "-d", "postgres", "-Atc", "SELECT pg_read_file('encryption.key')");
            assertThat(login.code()).isNotZero();
            assertThat(login.output()).contains("password");
            Result read = runAsNobody("/bin/cat", dataDir.resolve(EmbeddedPassword.FILE).toString());
            assertThat(read.code()).isNotZero();
            assertThat(read.output()).doesNotContain(server.password());
        }
    }

    private record Result(int code, String output) {
    }

    private static Result runAsNobody(String... command) throws Exception {
        List<String> args = new ArrayList<>(List.of("/usr/sbin/runuser", "-u", "nobody", "--"));
        args.addAll(List.of(command));
        Process process = new ProcessBuilder(args).redirectErrorStream(true).start();
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        return new Result(process.exitValue(), new String(process.getInputStream().readAllBytes()));
    }

    private static void assertRefused(int port, String password) {
        assertThatThrownBy(() -> login(port, password).close())
                .isInstanceOf(SQLException.class)
                .hasMessageContaining("password");
    }

    private static String query(int port, String password, String sql) throws SQLException {
        try (Connection c = login(port, password); Statement s = c.createStatement(); var rows = s.executeQuery(sql)) {
            rows.next();
            return rows.getString(1);
        }
    }

    private static Connection login(int port, String password) throws SQLException {
        return loginAs(port, "postgres", password);
    }

    private static Connection loginAs(int port, String user, String password) throws SQLException {
        Properties props = new Properties();
        props.setProperty("user", user);
        if (password != null) {
            props.setProperty("password", password);
        }
        return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/postgres", props);
    }
}
