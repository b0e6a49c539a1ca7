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

            double ceiling = ceiling(pool);
            jdbi.useHandle(h -> h.execute("TRUNCATE cmis_platform.webhook_events"));
            double[] intake;
            try (WebhookServer server = new WebhookServer(bed, tenancy)) {
                intake = intake(server);
            }
            System.out.printf("PostgreSQL ceiling: %.0f one-row commits/s at %d connections%n", ceiling, CONNECTIONS);
            System.out.printf("intake: %.0f events/s at %d connections = %.2fx the ceiling; p50 %.1f ms, p99 %.1f ms%n",
                    intake[0], CONNECTIONS, intake[0] / ceiling, intake[1], intake[2]);

            jdbi.useHandle(h -> h.execute("TRUNCATE cmis_platform.webhook_events"));
            double drain = drain(jdbi, tenancy, WebhookSettings.from(bed.config));
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

    /**
     * events/s, p50 ms, p99 ms. The load comes from plain keep-alive HTTP/1.1 over sockets, so the
     * measuring client costs little of the 2 cores the server and PostgreSQL also need.
     */
    private static double[] intake(WebhookServer server) throws Exception {
        int port = server.server.port();
        AtomicInteger sequence = new AtomicInteger();
        long warmEnd = System.nanoTime() + 2_000_000_000L;
        long end = warmEnd + SECONDS * 1_000_000_000L;
        ExecutorService threads = Executors.newFixedThreadPool(CONNECTIONS);
        List<Future<long[]>> running = new ArrayList<>();
        for (int t = 0; t < CONNECTIONS; t++) {
            running.add(threads.submit(() -> {
                long[] latencies = new long[1 << 20];
                int n = 0;
                try (java.net.Socket socket = new java.net.Socket("127.0.0.1", port)) {
                    socket.setTcpNoDelay(true);
                    java.io.OutputStream out = new java.io.BufferedOutputStream(socket.getOutputStream());
                    java.io.InputStream in = new java.io.BufferedInputStream(socket.getInputStream());
                    while (System.nanoTime() < end) {
                        String body = "{\"object\":\"page\",\"entry\":[{\"id\":\"1\",\"time\":1,\"changes\":[{"
                                + "\"field\":\"feed\",\"value\":{\"item\":\"comment\",\"verb\":\"add\","
                                + "\"comment_id\":\"c" + sequence.incrementAndGet() + "\"}}]}]}";
                        byte[] bytes = body.getBytes(java.nio.charset.StandardCharsets.UTF_8);
                        String head = "POST /webhooks/meta HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                                + "Content-Type: application/json\r\nX-Hub-Signature-256: "
                                + WebhookEmitter.meta(body).headers().get("x-hub-signature-256")
                                + "\r\nContent-Length: " + bytes.length + "\r\n\r\n";
                        long start = System.nanoTime();
                        out.write(head.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                        out.write(bytes);
                        out.flush();
                        int status = readResponse(in);
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

    /** Reads one HTTP/1.1 response with a Content-Length body; returns its status. */
    private static int readResponse(java.io.InputStream in) throws java.io.IOException {
        StringBuilder line = new StringBuilder();
        int status = -1;
        int length = 0;
        while (true) {
            int c = in.read();
            if (c < 0) {
                throw new java.io.EOFException("the server closed the connection");
            }
            if (c == '\n') {
                String text = line.toString().trim();
                line.setLength(0);
                if (text.isEmpty()) {
                    break;
                }
                if (status < 0) {
                    status = Integer.parseInt(text.split(" ")[1]);
                } else if (text.toLowerCase(java.util.Locale.ROOT).startsWith("content-length:")) {
                    length = Integer.parseInt(text.substring(15).trim());
                }
            } else {
                line.append((char) c);
            }
        }
        in.readNBytes(length);
        return status;
    }

    private static double drain(Jdbi jdbi, Tenancy tenancy, WebhookSettings settings) throws Exception {
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
                        "bench-" + w);
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

    private static HikariDataSource pool(EmbeddedPostgresServer postgres, int size) {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(postgres.jdbcUrl());
        config.setUsername(postgres.user());
        config.setSchema(Schema.NAME);
        config.setMaximumPoolSize(size);
        return new HikariDataSource(config);
    }
}
