package io.cmis.platform.support;

import io.cmis.platform.store.Schema;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.postgres.PostgresPlugin;
import org.junit.jupiter.api.Assumptions;
import org.postgresql.ds.PGSimpleDataSource;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Production's database topology for the tests that matter there: Debian's PostgreSQL 15 server
 * (its own cluster in a temporary directory, started for the test run) reached directly and through
 * Debian's PgBouncer in transaction mode, with password (SCRAM) logins as a non-superuser owner that
 * has CREATEROLE, the usual managed-database setup. Skipped with a message where the packages are
 * not installed, unless {@code CMIS_TEST_REQUIRE_PRODUCTION_DB=1} (CI sets it once it installed them).
 */
public final class ProductionPostgres {
    public static final String OWNER = "cmis_owner";
    public static final String PASSWORD = "owner-pw-" + Long.toHexString(System.nanoTime());
    private static final String SUPERUSER_PASSWORD = "su-pw-" + Long.toHexString(System.nanoTime());
    private static final AtomicInteger COUNTER = new AtomicInteger();
    private static ProductionPostgres instance;

    private final Path bin;
    private final Path dir;
    private final int port;
    private final int bouncerPort;

    private ProductionPostgres(Path bin, Path dir, int port, int bouncerPort) {
        this.bin = bin;
        this.dir = dir;
        this.port = port;
        this.bouncerPort = bouncerPort;
    }

    /** The test bed, started on first use; skips the calling test where it cannot exist here. */
    public static synchronized ProductionPostgres get() {
        if (instance == null) {
            Path bin = Path.of(System.getenv().getOrDefault("CMIS_TEST_PG_BIN", "/usr/lib/postgresql/15/bin"));
            Path bouncer = Path.of("/usr/sbin/pgbouncer");
            if (!Files.isExecutable(bin.resolve("pg_ctl")) || !Files.isExecutable(bouncer)) {
                String why = "the production test bed needs Debian's PostgreSQL 15 and PgBouncer "
                        + "(apt-get install postgresql-15 pgbouncer); not found: " + bin.resolve("pg_ctl") + " or " + bouncer;
                if ("1".equals(System.getenv("CMIS_TEST_REQUIRE_PRODUCTION_DB"))) {
                    throw new IllegalStateException(why);
                }
                Assumptions.abort(why);
            }
            try {
                instance = start(bin);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            Runtime.getRuntime().addShutdownHook(new Thread(instance::destroy));
        }
        return instance;
    }

    private static ProductionPostgres start(Path bin) throws IOException {
        Path dir = Files.createTempDirectory("cmis-pg15-");
        ProductionPostgres pg = new ProductionPostgres(bin, dir, freePort(), freePort());
        Files.writeString(dir.resolve("pwfile"), SUPERUSER_PASSWORD + "\n");
        pg.chownToServerUser();
        pg.asServerUser(bin.resolve("initdb").toString(), "-D", dir.resolve("data").toString(), "-U", "postgres",
                "--pwfile", dir.resolve("pwfile").toString(), "-E", "UTF8", "--locale=C",
                "--auth-local=trust", "--auth-host=scram-sha-256");
        Files.writeString(dir.resolve("data/postgresql.auto.conf"), String.join("\n",
                "port = " + pg.port,
                "listen_addresses = '127.0.0.1'",
                "unix_socket_directories = '" + dir + "'",
                "max_connections = 400",
                // Production's durability: every commit flushed.
                "fsync = on",
                "synchronous_commit = on",
                "logging_collector = off",
                ""), java.nio.file.StandardOpenOption.APPEND);
        pg.startServer();
        pg.superuser("postgres").useHandle(h -> h.execute("CREATE ROLE " + OWNER + " LOGIN CREATEROLE PASSWORD '"
                + PASSWORD + "'"));
        Files.writeString(dir.resolve("userlist.txt"), "\"" + OWNER + "\" \"" + PASSWORD + "\"\n"
                + "\"postgres\" \"" + SUPERUSER_PASSWORD + "\"\n");
        Files.writeString(dir.resolve("pgbouncer.ini"), String.join("\n",
                "[databases]",
                "* = host=127.0.0.1 port=" + pg.port,
                "[pgbouncer]",
                "listen_addr = 127.0.0.1",
                "listen_port = " + pg.bouncerPort,
                "unix_socket_dir =",
                "auth_type = scram-sha-256",
                "auth_file = " + dir.resolve("userlist.txt"),
                "pool_mode = transaction",
                "max_client_conn = 2000",
                // Few server connections for many clients: consecutive transactions of one client
                // land on sessions other clients used a moment ago.
                "default_pool_size = 8",
                "ignore_startup_parameters = extra_float_digits",
                // The README's setting: retry a failed server login after 1 s, not PgBouncer's default 15 s.
                "server_login_retry = 1",
                "logfile = " + dir.resolve("pgbouncer.log"),
                "pidfile = " + dir.resolve("pgbouncer.pid"),
                ""));
        pg.chownToServerUser();
        pg.asServerUser("/usr/sbin/pgbouncer", "-d", dir.resolve("pgbouncer.ini").toString());
        return pg;
    }

    /** A new database owned by the non-superuser owner, migrated as that owner over the direct connection. */
    public String freshDatabase() {
        String name = "prod_" + COUNTER.incrementAndGet();
        superuser("postgres").useHandle(h -> h.execute("CREATE DATABASE " + name + " OWNER " + OWNER));
        Schema.migrate(ownerDataSource(name));
        return name;
    }

    /** A new, empty database owned by the owner. */
    public String emptyDatabase() {
        String name = "prod_empty_" + COUNTER.incrementAndGet();
        superuser("postgres").useHandle(h -> h.execute("CREATE DATABASE " + name + " OWNER " + OWNER));
        return name;
    }

    /**
     * pgbench's transactions per second for {@code script} on {@code database} through PgBouncer
     * ({@code pooled}) or directly, as the owner: {@code clients} clients on 2 threads for {@code seconds},
     * the extended protocol with unnamed statements as the tool's pooled connections use it. The
     * yardstick benchmarks measure the tool against, in the same run.
     */
    public double pgbench(String database, String script, int clients, int seconds, boolean pooled) throws IOException {
        Path file = Files.createTempFile(dir, "pgbench-", ".sql");
        Files.writeString(file, script);
        chownToServerUser();
        ProcessBuilder builder = new ProcessBuilder(bin.resolve("pgbench").toString(), "-h", "127.0.0.1", "-p",
                String.valueOf(pooled ? bouncerPort : port), "-U", OWNER, "-n", "-M", "extended", "-c",
                String.valueOf(clients), "-j", "2", "-T", String.valueOf(seconds), "-f", file.toString(), database)
                .redirectErrorStream(true);
        builder.environment().put("PGPASSWORD", PASSWORD);
        Process pgbench = builder.start();
        String out = new String(pgbench.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        try {
            if (pgbench.waitFor() != 0) {
                throw new IllegalStateException("pgbench failed: " + out);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        java.util.regex.Matcher tps = java.util.regex.Pattern.compile("tps = ([\\d.]+)").matcher(out);
        if (!tps.find()) {
            throw new IllegalStateException("no tps in pgbench's output: " + out);
        }
        return Double.parseDouble(tps.group(1));
    }

    public String directUrl(String database) {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + database;
    }

    public String pooledUrl(String database) {
        return "jdbc:postgresql://127.0.0.1:" + bouncerPort + "/" + database;
    }

    /**
     * The tool's environment for {@code database} through PgBouncer in transaction mode (migrations
     * over the direct connection), or directly.
     */
    public Map<String, String> environment(String database, boolean pooled) {
        Map<String, String> env = new HashMap<>();
        env.put("CMIS_DATABASE_URL", pooled ? pooledUrl(database) : directUrl(database));
        env.put("CMIS_DATABASE_USER", OWNER);
        env.put("CMIS_DATABASE_PASSWORD", PASSWORD);
        if (pooled) {
            env.put("CMIS_DATABASE_POOLER", "transaction");
            env.put("CMIS_DATABASE_MIGRATION_URL", directUrl(database));
        }
        env.put("CMIS_ENCRYPTION_KEYS", TestKeys.K1);
        env.put("CMIS_DATA_DIR", CliRun.tempDataDir().toString());
        return env;
    }

    /** JDBI as the superuser over the direct connection: test setup and looking at raw rows and locks. */
    public Jdbi superuser(String database) {
        PGSimpleDataSource ds = new PGSimpleDataSource();
        ds.setUrl(directUrl(database));
        ds.setUser("postgres");
        ds.setPassword(SUPERUSER_PASSWORD);
        return Jdbi.create(ds).installPlugin(new PostgresPlugin());
    }

    /** A connection as any role of the bed, by password. */
    public PGSimpleDataSource dataSource(String database, String user, String password) {
        PGSimpleDataSource ds = new PGSimpleDataSource();
        ds.setUrl(directUrl(database));
        ds.setUser(user);
        ds.setPassword(password);
        return ds;
    }

    private PGSimpleDataSource ownerDataSource(String database) {
        PGSimpleDataSource ds = new PGSimpleDataSource();
        ds.setUrl(directUrl(database));
        ds.setUser(OWNER);
        ds.setPassword(PASSWORD);
        return ds;
    }

    /** Stops the server as an operator's restart does (fast: sessions are disconnected); PgBouncer keeps running. */
    public void stopServer() {
        asServerUser(bin.resolve("pg_ctl").toString(), "-D", dir.resolve("data").toString(), "-m", "fast", "-w",
                "-t", "60", "stop");
    }

    public void startServer() {
        asServerUser(bin.resolve("pg_ctl").toString(), "-D", dir.resolve("data").toString(),
                "-l", dir.resolve("server.log").toString(), "-w", "-t", "60", "start");
    }

    private void destroy() {
        try {
            Path pid = dir.resolve("pgbouncer.pid");
            if (Files.exists(pid)) {
                ProcessHandle.of(Long.parseLong(Files.readString(pid).trim())).ifPresent(ProcessHandle::destroy);
            }
            asServerUser(bin.resolve("pg_ctl").toString(), "-D", dir.resolve("data").toString(), "-m", "immediate",
                    "-w", "stop");
        } catch (IOException | RuntimeException e) {
            // the run is ending either way
        }
    }

    /** The whole database as {@code pg_dump} writes it (schema and data, as the superuser over the socket). */
    public String dump(String database) {
        List<String> line = new ArrayList<>();
        if (isRoot()) {
            line.addAll(List.of("runuser", "-u", "postgres", "--"));
        }
        line.addAll(List.of(bin.resolve("pg_dump").toString(), "-h", dir.toString(), "-p", String.valueOf(port),
                "-U", "postgres", "-d", database));
        try {
            Process p = new ProcessBuilder(line).redirectError(ProcessBuilder.Redirect.DISCARD).start();
            String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IllegalStateException("pg_dump of " + database + " failed");
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted");
        }
    }

    /**
     * PostgreSQL and PgBouncer refuse to run as root; as root (CI), they run as Debian's
     * {@code postgres} system user.
     */
    private void asServerUser(String... command) {
        List<String> line = new ArrayList<>();
        if (isRoot()) {
            line.addAll(List.of("runuser", "-u", "postgres", "--"));
        }
        line.addAll(List.of(command));
        run(line);
    }

    private void chownToServerUser() {
        if (isRoot()) {
            run(List.of("chown", "-R", "postgres:postgres", dir.toString()));
        }
    }

    private static boolean isRoot() {
        return "root".equals(System.getProperty("user.name"));
    }

    private static void run(List<String> command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IllegalStateException(String.join(" ", command) + " failed: " + new String(out));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted");
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
