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
    public final String database = TestPostgres.freshDatabase();
    public final Jdbi jdbi = TestPostgres.superuser(database);
    /** Pooled like the tool's own database access, so timings mean something. */
    private final com.zaxxer.hikari.HikariDataSource pool = pool(database);
    private final Tenancy tenancy = new Tenancy(Jdbi.create(pool).installPlugin(new org.jdbi.v3.postgres.PostgresPlugin()));
    public final List<Duration> sleeps = new ArrayList<>();
    public final AppConfig config;
    private GuardedHttpClient http;
    private ConnectorRegistry registry;

    public PlatformTestBed() {
        this(Map.of());
    }

    /** With extra settings, as environment variables ({@code CMIS_HTTP_TIMEOUT}, ...). */
    public PlatformTestBed(Map<String, String> overrides) {
        Map<String, String> env = new HashMap<>(sandbox.environment());
        env.put("CMIS_HTTP_TIMEOUT", "5s");
        env.putAll(overrides);
        config = new ConfigLoader(env, null).load(null);
        newProcess();
    }

    /** The real command line against this bed's database, clock and sandbox. */
    public CliRun cli() {
        CliRun cli = CliRun.against(database).clock(clock);
        sandbox.environment().forEach(cli::env);
        return cli;
    }

    /** Environment for a separate {@link CliProcess} against this bed's database and sandbox (its clock is real). */
    public Map<String, String> processEnvironment() {
        Map<String, String> env = new HashMap<>(sandbox.environment());
        env.put("CMIS_DATABASE_URL", TestPostgres.jdbcUrl(database));
        env.put("CMIS_DATABASE_USER", "postgres");
        env.put("CMIS_ENCRYPTION_KEYS", TestKeys.K1);
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

    private static com.zaxxer.hikari.HikariDataSource pool(String database) {
        com.zaxxer.hikari.HikariConfig config = new com.zaxxer.hikari.HikariConfig();
        config.setDataSource(TestPostgres.dataSource(database, "postgres"));
        config.setMaximumPoolSize(4);
        config.setMinimumIdle(1);
        return new com.zaxxer.hikari.HikariDataSource(config);
    }
}
