package io.cmis.platform.production;

import io.cmis.platform.sandbox.WebhookEmitter;
import io.cmis.platform.support.CliProcess;
import io.cmis.platform.support.CliRun;
import io.cmis.platform.support.PlatformTestBed;
import io.cmis.platform.support.ProductionPostgres;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The database restarted for 12 s under webhook load, with {@code serve} behind PgBouncer in
 * transaction mode: answers 503 (never 200 without a committed row) within 10 s while it is down,
 * loses no acknowledged event, accepts again within 5 s of its return and processes the backlog,
 * with no restart of serve. Health says unknown meanwhile, over HTTP and from cron.
 */
class DatabaseRestartTest {
    private static final Pattern LISTENING = Pattern.compile("listening on http://127\\.0\\.0\\.1:(\\d+)");
    private static final Duration OUTAGE = Duration.ofSeconds(12);
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    /** One delivery: when it was sent and answered (ns), the answer, and the comment id it carried. */
    private record Answer(long sentAt, long answeredAt, int status, String comment) {
        double seconds() {
            return (answeredAt - sentAt) / 1e9;
        }
    }

    @Test
    void serve_rides_out_a_twelve_second_database_restart_through_pgbouncer() throws Exception {
        ProductionPostgres pg = ProductionPostgres.get();
        try (PlatformTestBed bed = PlatformTestBed.onProductionDatabase(true)) {
            Map<String, String> env = bed.processEnvironment();
            CliProcess serve = CliProcess.start(env, "serve", "--port", "0", "--workers", "2");
            serve.awaitOutput("listening on");
            int port = port(serve);
            List<Answer> answers = java.util.Collections.synchronizedList(new ArrayList<>());
            AtomicInteger sequence = new AtomicInteger();
            ExecutorService load = Executors.newFixedThreadPool(8);
            for (int t = 0; t < 8; t++) {
                load.submit(() -> {
                    while (!Thread.currentThread().isInterrupted()) {
                        String comment = "c" + sequence.incrementAndGet();
                        long sent = System.nanoTime();
                        int status;
                        try {
                            status = post(port, comment).statusCode();
                        } catch (InterruptedException e) {
                            return null;
                        } catch (Exception e) {
                            status = -1;
                        }
                        answers.add(new Answer(sent, System.nanoTime(), status, comment));
                        Thread.sleep(5);
                    }
                    return null;
                });
            }
            try {
                awaitAnswers(answers, 200);
                long stopped = System.nanoTime();
                pg.stopServer();
                long down = System.nanoTime();

                Thread.sleep(2_000); // into the outage: the load runs meanwhile
                long asked = System.nanoTime();
                HttpResponse<String> health = get(port, "/health/integrations");
                double healthSeconds = (System.nanoTime() - asked) / 1e9;
                HttpResponse<String> live = get(port, "/health/live");
                long cronAsked = System.nanoTime();
                CliRun.Result cron = bed.cli().clock(Clock.systemUTC()).run("health");
                double cronSeconds = (System.nanoTime() - cronAsked) / 1e9;

                long remaining = OUTAGE.toNanos() - (System.nanoTime() - stopped);
                Thread.sleep(Math.max(0, remaining / 1_000_000));
                pg.startServer();
                long back = System.nanoTime();
                long deadline = back + Duration.ofSeconds(30).toNanos();
                while (firstAcceptedSentAfter(answers, back) < 0 && System.nanoTime() < deadline) {
                    Thread.sleep(20);
                }
                Thread.sleep(1_000);
                load.shutdownNow();
                load.awaitTermination(30, java.util.concurrent.TimeUnit.SECONDS);

                List<Answer> all;
                synchronized (answers) {
                    all = List.copyOf(answers);
                }
                // Sent from the stop on; one sent late in the outage may wait for the database's return and
                // commit (then 200, rightly). Every answer given while it was down must be 503.
                List<Answer> duringOutage = all.stream().filter(a -> a.sentAt() > stopped && a.sentAt() < back).toList();
                List<Answer> answeredWhileDown = all.stream().filter(a -> a.answeredAt() > down && a.answeredAt() < back)
                        .toList();
                double slowest = duringOutage.stream().mapToDouble(Answer::seconds).max().orElse(0);
                double recovery = (firstAcceptedSentAfter(all, back) - back) / 1e9;
                System.out.printf("restart: %d deliveries sent while down, all answered in <= %.2f s (%s); "
                                + "health answered in %.2f s, cron health exit %d in %.2f s; accepted again %.2f s "
                                + "after the database was back%n", duringOutage.size(), slowest,
                        duringOutage.stream().map(a -> Integer.toString(a.status())).distinct().toList(),
                        healthSeconds, cron.exitCode(), cronSeconds, recovery);

                assertThat(answeredWhileDown).as("deliveries answered while the database was down").isNotEmpty();
                assertThat(answeredWhileDown).allSatisfy(a -> assertThat(a.status()).isEqualTo(503));
                assertThat(slowest).as("slowest answer while down (s)").isLessThan(10);
                assertThat(health.statusCode()).isEqualTo(503);
                assertThat(health.body()).contains("\"status\":\"unknown\"");
                assertThat(healthSeconds).isLessThan(5);
                assertThat(live.statusCode()).as("every loop of serve still runs").isEqualTo(200);
                assertThat(cron.exitCode()).as(cron.toString()).isEqualTo(3);
                assertThat(cronSeconds).isLessThan(10);
                assertThat(recovery).as("seconds until deliveries were accepted again").isBetween(0.0, 5.0);

                Set<String> acknowledged = ConcurrentHashMap.newKeySet();
                all.stream().filter(a -> a.status() == 200).forEach(a -> acknowledged.add(a.comment()));
                List<String> stored = bed.jdbi.withHandle(h -> h.createQuery(
                        "SELECT payload -> 'change' -> 'value' ->> 'comment_id' FROM cmis_platform.webhook_events")
                        .mapTo(String.class).list());
                assertThat(stored).as("every acknowledged event is stored").containsAll(acknowledged);
                awaitAllProcessed(bed);
                assertThat(get(port, "/health/live").statusCode()).isEqualTo(200);
            } finally {
                load.shutdownNow();
                serve.kill();
            }
        }
    }

    @Test
    void a_token_sweep_hit_by_a_restart_mid_refresh_keeps_the_rotated_refresh_token() throws Exception {
        ProductionPostgres pg = ProductionPostgres.get();
        try (PlatformTestBed bed = PlatformTestBed.onProductionDatabase(true)) {
            io.cmis.platform.support.OAuthUser.connect(bed.cli(), java.util.UUID.randomUUID().toString(), "tiktok",
                    "--kind", "tt_user");
            bed.sandbox.tiktok().latency(Duration.ofSeconds(3));
            CliProcess sweep = CliProcess.start(bed.processEnvironment(), "--json", "tokens", "refresh");
            awaitRequests(bed, ".*/tt_user/oauth2/refresh_token/");
            pg.stopServer(); // the refresh's transaction dies while TikTok is rotating the refresh token
            Thread.sleep(2_000);
            pg.startServer();
            CliRun.Result result = sweep.finish();

            assertThat(result.exitCode()).as(result.stdout()).isZero();
            assertThat(result.stdout()).contains("stored after the database came back");
            bed.sandbox.tiktok().latency(Duration.ZERO);
            CliRun later = bed.cli().clock(Clock.fixed(java.time.Instant.now().plus(Duration.ofHours(1)),
                    java.time.ZoneOffset.UTC));
            assertThat(succeeded(later.run("--json", "tokens", "refresh", "--within", "48h").ok()))
                    .as("the stored refresh token is the live one").isEqualTo(1);
        }
    }

    @Test
    void a_sync_hit_by_a_restart_says_so_in_one_line_exits_1_and_the_next_run_finishes() throws Exception {
        ProductionPostgres pg = ProductionPostgres.get();
        try (PlatformTestBed bed = PlatformTestBed.onProductionDatabase(true)) {
            CliRun cli = bed.cli();
            for (int i = 0; i < 3; i++) {
                cli.run("integrations", "add", "tiktok", "--org", java.util.UUID.randomUUID().toString(),
                        "--access-token", bed.sandbox.tiktok().issueAdvertiserToken(), "--external-id", "adv-" + i).ok();
            }
            bed.sandbox.tiktok().latency(Duration.ofSeconds(3));
            Map<String, String> env = bed.processEnvironment();
            env.put("CMIS_SYNC_LEASE", "3s");
            CliProcess sync = CliProcess.start(env, "sync");
            awaitRequests(bed, ".*/advertiser/.*");
            pg.stopServer();
            CliRun.Result result = sync.finish();
            pg.startServer();

            assertThat(result.exitCode()).as(result.stdout()).isEqualTo(1);
            List<String> errors = result.stdout().lines().filter(l -> l.startsWith("error:")).toList();
            assertThat(errors).as(result.stdout()).hasSize(1);
            assertThat(errors.get(0)).contains("lost the database mid-run").doesNotContain("Exception");
            assertThat(result.stdout()).as("no stack trace").doesNotContain("\tat ");
            int written = bed.jdbi.withHandle(h -> h.createQuery(
                    "SELECT count(*) FROM cmis_platform.channels").mapTo(Integer.class).one()
                    + h.createQuery("SELECT count(*) FROM cmis_platform.ad_accounts").mapTo(Integer.class).one());
            assertThat(written).as("nothing half-written").isZero();

            bed.sandbox.tiktok().latency(Duration.ZERO);
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            int synced;
            do {
                Thread.sleep(500); // the failed run could not release its leases: they expire (3 s here)
                synced = succeeded(cli.clock(Clock.systemUTC()).env("CMIS_SYNC_LEASE", "3s").run("--json", "sync"));
            } while (synced < 3 && System.nanoTime() < deadline);
            assertThat(synced).as("the next run finishes the job").isEqualTo(3);
        }
    }

    @Test
    void a_webhook_worker_hit_by_a_restart_exits_1_in_one_line_and_the_next_run_processes_everything() throws Exception {
        ProductionPostgres pg = ProductionPostgres.get();
        try (PlatformTestBed bed = PlatformTestBed.onProductionDatabase(true);
             io.cmis.platform.support.WebhookServer intake = new io.cmis.platform.support.WebhookServer(bed);
             io.cmis.platform.support.ForwardReceiver receiver = new io.cmis.platform.support.ForwardReceiver()) {
            for (int i = 0; i < 3; i++) {
                assertThat(intake.post("meta", WebhookEmitter.meta("{\"object\":\"page\",\"entry\":[{\"id\":\"1\","
                        + "\"time\":1,\"changes\":[{\"field\":\"feed\",\"value\":{\"item\":\"comment\","
                        + "\"verb\":\"add\",\"comment_id\":\"w" + i + "\"}}]}]}")).statusCode()).isEqualTo(200);
            }
            receiver.delay(Duration.ofSeconds(3));
            Map<String, String> env = bed.processEnvironment();
            env.put("CMIS_WEBHOOKS_FORWARD_URL", receiver.url());
            env.put("CMIS_WEBHOOKS_FORWARD_SECRET", "whsec_" + java.util.Base64.getEncoder().encodeToString(new byte[32]));
            env.put("CMIS_WEBHOOKS_LEASE", "3s");
            CliProcess worker = CliProcess.start(env, "webhooks", "process", "--until-empty");
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (receiver.received().isEmpty() && worker.process().isAlive() && System.nanoTime() < deadline) {
                Thread.sleep(20); // waiting for the worker to be inside a delivery, not for time to pass
            }
            assertThat(receiver.received()).as(worker.output()).isNotEmpty();
            pg.stopServer();
            CliRun.Result result = worker.finish();
            pg.startServer();

            assertThat(result.exitCode()).as(result.stdout()).isEqualTo(1);
            List<String> errors = result.stdout().lines().filter(l -> l.startsWith("error:")).toList();
            assertThat(errors).as(result.stdout()).hasSize(1);
            assertThat(errors.get(0)).contains("lost the database mid-run");

            receiver.delay(Duration.ZERO);
            int processed;
            do {
                Thread.sleep(500); // the killed batch's claims expire (3 s here), then the next run takes them
                CliProcess.start(env, "webhooks", "process", "--until-empty").finish();
                processed = bed.jdbi.withHandle(h -> h.createQuery(
                        "SELECT count(*) FROM cmis_platform.webhook_events WHERE status = 'processed'")
                        .mapTo(Integer.class).one());
            } while (processed < 3 && System.nanoTime() < deadline);
            assertThat(processed).as("the next run finishes the job").isEqualTo(3);
        }
    }

    private static int succeeded(CliRun.Result result) throws Exception {
        // Right after the restart PgBouncer may still refuse logins for its server_login_retry (1 s): no summary.
        com.fasterxml.jackson.databind.JsonNode summary = io.cmis.platform.cli.Json.MAPPER.readTree(
                result.stdout().isBlank() ? "{}" : result.stdout());
        return summary.path("succeeded").asInt(0);
    }

    private static void awaitRequests(PlatformTestBed bed, String path) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        io.cmis.platform.sandbox.TikTokSimulator tiktok = bed.sandbox.tiktok();
        while (tiktok.requests(path) == 0 && System.nanoTime() < deadline) {
            Thread.sleep(20); // waiting for the child to be inside the call, not for time to pass
        }
        assertThat(tiktok.requests(path)).as("the command reached the platform").isPositive();
    }

    private static long firstAcceptedSentAfter(List<Answer> answers, long since) {
        synchronized (answers) {
            return answers.stream().filter(a -> a.status() == 200 && a.sentAt() >= since)
                    .mapToLong(Answer::answeredAt).min().orElse(-1);
        }
    }

    private static void awaitAnswers(List<Answer> answers, int n) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (accepted(answers) < n && System.nanoTime() < deadline) {
            Thread.sleep(20); // waiting for the load to build up, not for time to pass
        }
    }

    private static long accepted(List<Answer> answers) {
        synchronized (answers) {
            return answers.stream().filter(a -> a.status() == 200).count();
        }
    }

    private static void awaitAllProcessed(PlatformTestBed bed) throws InterruptedException {
        String sql = "SELECT count(*) FILTER (WHERE status <> 'processed') FROM cmis_platform.webhook_events";
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (bed.jdbi.withHandle(h -> h.createQuery(sql).mapTo(Integer.class).one()) > 0
                && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        int left = bed.jdbi.withHandle(h -> h.createQuery(sql).mapTo(Integer.class).one());
        List<java.util.Map<String, Object>> waiting = bed.jdbi.withHandle(h -> h.createQuery(
                "SELECT status, attempts, last_error, claimed_until, next_attempt_at, now() AS now "
                        + "FROM cmis_platform.webhook_events WHERE status <> 'processed'").mapToMap().list());
        assertThat(left).as("events still waiting after the restart (processing resumed by itself): " + waiting)
                .isZero();
    }

    private static int port(CliProcess serve) {
        Matcher m = LISTENING.matcher(serve.output());
        assertThat(m.find()).as(serve.output()).isTrue();
        return Integer.parseInt(m.group(1));
    }

    private HttpResponse<String> post(int port, String comment) throws Exception {
        String body = "{\"object\":\"page\",\"entry\":[{\"id\":\"1\",\"time\":1,\"changes\":[{\"field\":\"feed\","
                + "\"value\":{\"item\":\"comment\",\"verb\":\"add\",\"comment_id\":\"" + comment + "\"}}]}]}";
        WebhookEmitter.Delivery delivery = WebhookEmitter.meta(body);
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/webhooks/meta"))
                .timeout(Duration.ofSeconds(30)).POST(HttpRequest.BodyPublishers.ofString(delivery.body()));
        delivery.headers().forEach(request::header);
        return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> get(int port, String path) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
    }
}
