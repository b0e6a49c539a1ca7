package io.cmis.platform.benchmark;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.cmis.platform.sandbox.WebhookEmitter;
import io.cmis.platform.support.PlatformTestBed;
import io.cmis.platform.store.EmbeddedPostgresServer;
import io.cmis.platform.store.Schema;
import io.cmis.platform.support.WebhookServer;
import io.cmis.platform.tenancy.Tenancy;
import io.cmis.platform.webhooks.EventOutcome;
import io.cmis.platform.webhooks.WebhookProcessor;
import io.cmis.platform.webhooks.WebhookSettings;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.postgres.PostgresPlugin;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Webhook intake against the database's own ceiling, in one run: (1) 32 connections doing one-row
 * {@code INSERT ... ON CONFLICT DO NOTHING} commits for 10 s; (2) 32 HTTP connections POSTing distinct
 * signed Meta events to the intake for 10 s (events/s, p50, p99); (3) the drain rate of 4 workers
 * over 50,000 queued events with nothing to do for them (no forward URL, no org).
 * Run: {@code mvn -B test -Dtest=WebhookBenchmark -Dbenchmark=true -Djacoco.skip=true -Dsurefire.failIfNoSpecifiedTests=false}
 */
@EnabledIfSystemProperty(named = "benchmark", matches = "true")
class WebhookBenchmark {
    private static final int CONNECTIONS = 32;
    private static final long SECONDS = Long.getLong("seconds", 10);
    private static final int DRAIN_EVENTS = 50_000;
    private static final int WORKERS = 4;
    private static final int REQUESTS = 400_000;
    /** Requests sent before the measured 10 s, so the JIT has compiled the intake path. */
    private static final long WARM_UP_SECONDS = Long.getLong("warmup", 10);

    @Test
    void intake_against_the_postgres_ceiling_and_drain_rate() throws Exception {
        java.nio.file.Path dataDir = java.nio.file.Files.createTempDirectory("cmis-webhook-bench");
        // The tool's own embedded server, with its durable settings (the shared test server skips fsync).
        try (PlatformTestBed bed = new PlatformTestBed();
             EmbeddedPostgresServer postgres = EmbeddedPostgresServer.acquire(dataDir);
             HikariDataSource pool = pool(postgres, CONNECTIONS + 8)) {
            Schema.migrate(pool);
            Jdbi jdbi = Jdbi.create(pool).installPlugin(new PostgresPlugin());
            Tenancy tenancy = new Tenancy(jdbi);
            String settings = jdbi.withHandle(h -> h.createQuery("SELECT 'synchronous_commit=' || "
                    + "current_setting('synchronous_commit') || ', fsync=' || current_setting('fsync')")
                    .mapTo(String.class).one());
            System.out.println("database: the embedded PostgreSQL of the tool, " + settings);

            Cpu before = Cpu.now();
            double ceiling = ceiling(pool);
            Cpu ceilingCpu = Cpu.now().minus(before);
            jdbi.useHandle(h -> h.execute("TRUNCATE cmis_platform.webhook_events"));
            double[] intake;
            Cpu intakeCpu;
            try (WebhookServer server = new WebhookServer(bed, tenancy)) {
                byte[][] requests = requests();
                before = Cpu.now();
                intake = intake(server, requests);
                intakeCpu = Cpu.now().minus(before);
            }
            System.out.printf("PostgreSQL ceiling: %.0f one-row commits/s at %d connections%n", ceiling, CONNECTIONS);
            System.out.printf("intake: %.0f events/s at %d connections = %.2fx the ceiling; p50 %.1f ms, p99 %.1f ms%n",
                    intake[0], CONNECTIONS, intake[0] / ceiling, intake[1], intake[2]);
            // CPU per item over the whole phase (intake's includes its warm-up), this JVM and PostgreSQL.
            System.out.printf("CPU per commit in the ceiling run: %.0f µs (this JVM %.0f, PostgreSQL %.0f)%n",
                    ceilingCpu.total() / (ceiling * SECONDS), ceilingCpu.jvmMicros / (ceiling * SECONDS),
                    ceilingCpu.postgresMicros / (ceiling * SECONDS));
            System.out.printf("CPU per event at intake: %.0f µs (this JVM %.0f, PostgreSQL %.0f)%n",
                    intakeCpu.total() / (intake[0] * (SECONDS + WARM_UP_SECONDS)), intakeCpu.jvmMicros / (intake[0] * (SECONDS + WARM_UP_SECONDS)),
                    intakeCpu.postgresMicros / (intake[0] * (SECONDS + WARM_UP_SECONDS)));

            jdbi.useHandle(h -> h.execute("TRUNCATE cmis_platform.webhook_events"));
            double drain = drain(jdbi, tenancy, WebhookSettings.from(bed.config), bed.registry());
            System.out.printf("drain: %.0f events/s with %d workers (%d events, nothing to do for each)%n", drain,
                    WORKERS, DRAIN_EVENTS);
        }
    }

    private static double ceiling(HikariDataSource pool) throws Exception {
        {
            AtomicLong commits = new AtomicLong();
            long end = System.nanoTime() + SECONDS * 1_000_000_000L;
            ExecutorService threads = Executors.newFixedThreadPool(CONNECTIONS);
            List<Future<?>> running = new ArrayList<>();
            for (int t = 0; t < CONNECTIONS; t++) {
                running.add(threads.submit(() -> {
                    try (Connection c = pool.getConnection(); PreparedStatement insert = c.prepareStatement("""
                            INSERT INTO cmis_platform.webhook_events (id, platform, event_key, event_type, payload)
                            VALUES (?, 'meta', ?, 'page.feed', '{"object":"page"}'::jsonb)
                            ON CONFLICT (platform, event_key) DO NOTHING
                            """)) {
                        c.setAutoCommit(true);
                        while (System.nanoTime() < end) {
                            UUID id = UUID.randomUUID();
                            insert.setObject(1, id);
                            insert.setString(2, id.toString());
                            insert.executeUpdate();
                            commits.incrementAndGet();
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : running) {
                f.get();
            }
            threads.shutdown();
            return commits.get() / (double) SECONDS;
        }
    }

    /** Distinct, correctly signed Meta deliveries as raw HTTP/1.1 requests, built before the clock starts. */
    private static byte[][] requests() {
        byte[][] requests = new byte[REQUESTS][];
        for (int i = 0; i < REQUESTS; i++) {
            String body = "{\"object\":\"page\",\"entry\":[{\"id\":\"1\",\"time\":1,\"changes\":[{"
                    + "\"field\":\"feed\",\"value\":{\"item\":\"comment\",\"verb\":\"add\","
                    + "\"comment_id\":\"c" + i + "\"}}]}]}";
            requests[i] = ("POST /webhooks/meta HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                    + "X-Hub-Signature-256: " + WebhookEmitter.meta(body).headers().get("x-hub-signature-256")
                    + "\r\nContent-Length: " + body.length() + "\r\n\r\n" + body)
                    .getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        }
        return requests;
    }

    /**
     * events/s, p50 ms, p99 ms, sent as plain keep-alive HTTP/1.1 over blocking socket channels, so
     * that the measuring client costs little of the 2 cores the server and PostgreSQL also need.
     */
    private static double[] intake(WebhookServer server, byte[][] requests) throws Exception {
        int port = server.server.port();
        AtomicInteger next = new AtomicInteger();
        long warmEnd = System.nanoTime() + WARM_UP_SECONDS * 1_000_000_000L;
        long end = warmEnd + SECONDS * 1_000_000_000L;
        ExecutorService threads = Executors.newFixedThreadPool(CONNECTIONS);
        List<Future<long[]>> running = new ArrayList<>();
        for (int t = 0; t < CONNECTIONS; t++) {
            running.add(threads.submit(() -> {
                long[] latencies = new long[1 << 18];
                int n = 0;
                java.nio.ByteBuffer answer = java.nio.ByteBuffer.allocate(4096);
                try (java.nio.channels.SocketChannel channel = java.nio.channels.SocketChannel.open(
                        new java.net.InetSocketAddress("127.0.0.1", port))) {
                    channel.setOption(java.net.StandardSocketOptions.TCP_NODELAY, true);
                    while (System.nanoTime() < end) {
                        int i = next.getAndIncrement();
                        if (i >= requests.length) {
                            throw new AssertionError("more than " + REQUESTS + " requests: raise REQUESTS");
                        }
                        long start = System.nanoTime();
                        java.nio.ByteBuffer request = java.nio.ByteBuffer.wrap(requests[i]);
                        while (request.hasRemaining()) {
                            channel.write(request);
                        }
                        int status = readResponse(channel, answer);
                        long took = System.nanoTime() - start;
                        if (status != 200) {
                            throw new AssertionError("HTTP " + status);
                        }
                        if (start >= warmEnd && n < latencies.length) {
                            latencies[n++] = took;
                        }
                    }
                }
                return Arrays.copyOf(latencies, n);
            }));
        }
        List<Long> all = new ArrayList<>();
        for (Future<long[]> f : running) {
            for (long l : f.get()) {
                all.add(l);
            }
        }
        threads.shutdown();
        all.sort(null);
        return new double[]{all.size() / (double) SECONDS, all.get(all.size() / 2) / 1e6,
                all.get((int) (all.size() * 0.99)) / 1e6};
    }

    /** Reads one small HTTP/1.1 response with a Content-Length body; returns its status. */
    private static int readResponse(java.nio.channels.SocketChannel channel, java.nio.ByteBuffer buffer)
            throws java.io.IOException {
        buffer.clear();
        while (true) {
            if (channel.read(buffer) < 0) {
                throw new java.io.EOFException("the server closed the connection");
            }
            String text = new String(buffer.array(), 0, buffer.position(), java.nio.charset.StandardCharsets.US_ASCII);
            int headerEnd = text.indexOf("\r\n\r\n");
            if (headerEnd < 0) {
                continue;
            }
            int at = text.toLowerCase(java.util.Locale.ROOT).indexOf("content-length:");
            int length = at < 0 ? 0 : Integer.parseInt(text.substring(at + 15, text.indexOf('\r', at)).trim());
            if (buffer.position() >= headerEnd + 4 + length) {
                return Integer.parseInt(text.substring(9, 12));
            }
        }
    }

    private static double drain(Jdbi jdbi, Tenancy tenancy, WebhookSettings settings,
                                io.cmis.platform.platforms.ConnectorRegistry registry) throws Exception {
        jdbi.useHandle(h -> h.execute("""
                INSERT INTO cmis_platform.webhook_events (id, platform, event_key, event_type, routing_key, payload)
                SELECT gen_random_uuid(), 'meta', 'k' || i, 'page.feed', 'page-' || (i % 100), '{"object":"page"}'::jsonb
                FROM generate_series(1, :n) AS i
                """.replace(":n", Integer.toString(DRAIN_EVENTS))));
        {
            ExecutorService threads = Executors.newFixedThreadPool(WORKERS);
            long start = System.nanoTime();
            List<Future<Integer>> running = new ArrayList<>();
            for (int w = 0; w < WORKERS; w++) {
                WebhookProcessor processor = new WebhookProcessor(tenancy, settings, Clock.systemUTC(), new Random(w),
                        "bench-" + w, registry);
                running.add(threads.submit(() -> {
                    int done = 0;
                    for (List<EventOutcome> batch; !(batch = processor.processBatch(settings.batchSize(), () -> false))
                            .isEmpty(); ) {
                        done += batch.size();
                    }
                    return done;
                }));
            }
            int processed = 0;
            for (Future<Integer> f : running) {
                processed += f.get();
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            threads.shutdown();
            assertThat(processed).isEqualTo(DRAIN_EVENTS);
            return processed / seconds;
        }
    }

    /** CPU time used so far by this JVM and by every PostgreSQL process (Linux /proc), in µs. */
    private record Cpu(double jvmMicros, double postgresMicros) {
        static Cpu now() {
            double jvm = ((com.sun.management.OperatingSystemMXBean)
                    java.lang.management.ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime() / 1e3;
            double postgres = ProcessHandle.allProcesses()
                    .filter(p -> p.info().command().map(c -> c.endsWith("/postgres")).orElse(false))
                    .mapToDouble(Cpu::procMicros).sum();
            return new Cpu(jvm, postgres);
        }

        private static double procMicros(ProcessHandle p) {
            try {
                String stat = java.nio.file.Files.readString(java.nio.file.Path.of("/proc/" + p.pid() + "/stat"));
                String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                return (Long.parseLong(f[11]) + Long.parseLong(f[12])) * 1e6 / 100; // utime + stime, at 100 Hz
            } catch (java.io.IOException | RuntimeException e) {
                return 0;
            }
        }

        Cpu minus(Cpu earlier) {
            return new Cpu(jvmMicros - earlier.jvmMicros, postgresMicros - earlier.postgresMicros);
        }

        double total() {
            return jvmMicros + postgresMicros;
        }
    }

    private static HikariDataSource pool(EmbeddedPostgresServer postgres, int size) {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(postgres.jdbcUrl());
        config.setUsername(postgres.user());
        config.setPassword(postgres.password());
        config.setSchema(Schema.NAME);
        config.setMaximumPoolSize(size);
        return new HikariDataSource(config);
    }
}
