package io.cmis.platform.support;

import io.cmis.platform.config.AppConfig;
import io.cmis.platform.config.ConfigLoader;
import io.cmis.platform.http.GuardedHttpClient;
import io.cmis.platform.platforms.ConnectorRegistry;
import io.cmis.platform.platforms.PlatformLayer;
import io.cmis.platform.sandbox.Sandbox;
import io.cmis.platform.sandbox.SandboxClock;
import io.cmis.platform.tenancy.Tenancy;
import org.jdbi.v3.core.Jdbi;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The platform layer wired as the tool wires it, against the sandbox and a fresh database, with a
 * hand-moved clock and a sleeper that records instead of sleeping. {@link #newProcess()} builds
 * everything again over the same database, as the next cron run would.
 */
public final class PlatformTestBed implements AutoCloseable {
    public final SandboxClock clock = new SandboxClock(Instant.parse("2026-11-25T12:00:00Z"));
    public final Sandbox sandbox = Sandbox.start(0, clock);
    public final String database;
    /** The superuser over a direct connection: setup and raw rows. */
    public final Jdbi jdbi;
    /** Pooled like the tool's own database access, so timings mean something. */
    private final com.zaxxer.hikari.HikariDataSource pool;
    private final Tenancy tenancy;
    /** What the tool is given to reach this bed's database (CMIS_DATABASE_*, keys). */
    private final Map<String, String> databaseEnvironment;
    public final List<Duration> sleeps = new ArrayList<>();
    public final AppConfig config;
    private GuardedHttpClient http;
    private ConnectorRegistry registry;

    public PlatformTestBed() {
        this(Map.of());
    }

    /** With extra settings, as environment variables ({@code CMIS_HTTP_TIMEOUT}, ...). */
    public PlatformTestBed(Map<String, String> overrides) {
        this(TestPostgres.freshDatabase(), overrides, null, false);
    }

    /**
     * On production's topology: a fresh database of Debian's PostgreSQL 15, reached through PgBouncer
     * in transaction mode ({@code pooled}) or directly, as the tool's non-superuser owner.
     */
    public static PlatformTestBed onProductionDatabase(boolean pooled) {
        return onProductionDatabase(pooled, Map.of());
    }

    /** The same, with extra settings as environment variables. */
    public static PlatformTestBed onProductionDatabase(boolean pooled, Map<String, String> overrides) {
        ProductionPostgres pg = ProductionPostgres.get();
        return new PlatformTestBed(pg.freshDatabase(), overrides, pg, pooled);
    }

    private PlatformTestBed(String database, Map<String, String> overrides, ProductionPostgres production, boolean pooled) {
        this.database = database;
        if (production == null) {
            jdbi = TestPostgres.superuser(database);
            pool = pool(TestPostgres.dataSource(database, "postgres"));
            databaseEnvironment = Map.of("CMIS_DATABASE_URL", TestPostgres.jdbcUrl(database),
                    "CMIS_DATABASE_USER", "postgres", "CMIS_ENCRYPTION_KEYS", TestKeys.K1);
        } else {
            jdbi = production.superuser(database);
            org.postgresql.ds.PGSimpleDataSource ds = new org.postgresql.ds.PGSimpleDataSource();
            ds.setUrl(pooled ? production.pooledUrl(database) : production.directUrl(database));
            ds.setUser(ProductionPostgres.OWNER);
            ds.setPassword(ProductionPostgres.PASSWORD);
            ds.setPrepareThreshold(pooled ? 0 : 5);
            pool = pool(ds);
            Map<String, String> env = new HashMap<>(production.environment(database, pooled));
            env.remove("CMIS_DATA_DIR");
            databaseEnvironment = Map.copyOf(env);
        }
        tenancy = new Tenancy(Jdbi.create(pool).installPlugin(new org.jdbi.v3.postgres.PostgresPlugin()));
        Map<String, String> env = new HashMap<>(sandbox.environment());
        env.put("CMIS_HTTP_TIMEOUT", "5s");
        env.putAll(overrides);
        config = new ConfigLoader(env, null).load(null);
        newProcess();
    }

    /** The real command line against this bed's database, clock and sandbox. */
    public CliRun cli() {
        CliRun cli = CliRun.withoutDatabase().clock(clock);
        databaseEnvironment.forEach(cli::env);
        sandbox.environment().forEach(cli::env);
        return cli;
    }

    /** Environment for a separate {@link CliProcess} against this bed's database and sandbox (its clock is real). */
    public Map<String, String> processEnvironment() {
        Map<String, String> env = new HashMap<>(sandbox.environment());
        env.putAll(databaseEnvironment);
        try {
            env.put("CMIS_DATA_DIR", java.nio.file.Files.createTempDirectory("cmis-process").toString());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return env;
    }

    /** Tenant and system paths over this bed's pooled database. */
    public Tenancy tenancy() {
        return tenancy;
    }

    public ConnectorRegistry registry() {
        return registry;
    }

    public GuardedHttpClient http() {
        return http;
    }

    /** Fresh breakers, rate-limit view and call log over the same database: what a new process sees. */
    public ConnectorRegistry newProcess() {
        if (http != null) {
            http.close();
        }
        PlatformLayer layer = PlatformLayer.create(config, tenancy, clock, sleeps::add);
        http = layer.http();
        registry = layer.registry();
        return registry;
    }

    /** Writes out buffered API-call log rows. */
    public void flushCallLog() {
        http.close();
    }

    @Override
    public void close() {
        http.close();
        sandbox.close();
        pool.close();
    }

    private static com.zaxxer.hikari.HikariDataSource pool(javax.sql.DataSource dataSource) {
        com.zaxxer.hikari.HikariConfig config = new com.zaxxer.hikari.HikariConfig();
        config.setDataSource(dataSource);
        config.setMaximumPoolSize(4);
        config.setMinimumIdle(1);
        return new com.zaxxer.hikari.HikariDataSource(config);
    }
}
