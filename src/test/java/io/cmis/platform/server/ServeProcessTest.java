package io.cmis.platform.server;

import io.cmis.platform.sandbox.TikTokSimulator;
import io.cmis.platform.sandbox.WebhookEmitter;
import io.cmis.platform.support.CliProcess;
import io.cmis.platform.support.OAuthUser;
import io.cmis.platform.support.PlatformTestBed;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code serve} as real processes: two on one database, kill -9 under load, SIGTERM. */
class ServeProcessTest {
    private static final Pattern LISTENING = Pattern.compile("listening on http://127\\.0\\.0\\.1:(\\d+)");
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    @Test
    void two_servers_on_one_database_store_and_process_fifty_concurrent_copies_once() throws Exception {
        try (PlatformTestBed bed = new PlatformTestBed()) {
            String org = UUID.randomUUID().toString();
            String integration = OAuthUser.connect(bed.cli(), org, "tiktok", "--kind", "tt_user").get("id").asText();
            CliProcess a = serve(bed, "2");
            CliProcess b = serve(bed, "2");
            try {
                int[] ports = {port(a), port(b)};
                // Created after the connect (at the bed's clock): an older removal would leave the new grant alone.
                String body = "{\"client_key\":\"sandbox\",\"event\":\"authorization.removed\",\"create_time\":"
                        + bed.clock.instant().getEpochSecond() + ",\"user_openid\":\"" + TikTokSimulator.OPEN_ID
                        + "\",\"content\":\"{\\\"reason\\\": 1}\"}";
                WebhookEmitter.Delivery delivery = WebhookEmitter.tiktok(body, java.time.Instant.now().getEpochSecond());
                ExecutorService pool = Executors.newFixedThreadPool(50);
                CountDownLatch go = new CountDownLatch(1);
                List<Future<HttpResponse<String>>> answers = new ArrayList<>();
                for (int i = 0; i < 50; i++) {
                    int port = ports[i % 2];
                    answers.add(pool.submit(() -> {
                        go.await();
                        return post(port, "tiktok", delivery);
                    }));
                }
                go.countDown();
                int queued = 0;
                for (Future<HttpResponse<String>> answer : answers) {
                    assertThat(answer.get().statusCode()).isEqualTo(200);
                    queued += answer.get().body().contains("\"queued\"") ? 1 : 0;
                }
                pool.shutdown();
                assertThat(queued).isEqualTo(1);
                awaitCount(bed, "SELECT count(*) FROM cmis_platform.webhook_events WHERE status = 'processed'", 1);
                assertThat(count(bed, "SELECT count(*) FROM cmis_platform.webhook_events")).isEqualTo(1);
                assertThat(count(bed, "SELECT count(*) FROM cmis_platform.notifications WHERE kind = 'revoked'"))
                        .isEqualTo(1);
                assertThat(count(bed, "SELECT count(*) FROM cmis_platform.integrations WHERE status = 'revoked' AND id = '"
                        + integration + "'")).isEqualTo(1);
            } finally {
                a.kill();
                b.kill();
            }
        }
    }

    @Test
    void every_event_acknowledged_before_a_kill_minus_9_is_in_the_database() throws Exception {
        try (PlatformTestBed bed = new PlatformTestBed()) {
            CliProcess serve = serve(bed, "0");
            int port = port(serve);
            Set<String> acknowledged = ConcurrentHashMap.newKeySet();
            AtomicInteger sent = new AtomicInteger();
            ExecutorService pool = Executors.newFixedThreadPool(8);
            for (int t = 0; t < 8; t++) {
                pool.submit(() -> {
                    while (!Thread.currentThread().isInterrupted()) {
                        String comment = "c" + sent.incrementAndGet();
                        String body = "{\"object\":\"page\",\"entry\":[{\"id\":\"1\",\"time\":1,\"changes\":[{\"field\":"
                                + "\"feed\",\"value\":{\"item\":\"comment\",\"verb\":\"add\",\"comment_id\":\""
                                + comment + "\"}}]}]}";
                        try {
                            if (post(port, "meta", WebhookEmitter.meta(body)).statusCode() == 200) {
                                acknowledged.add(comment);
                            }
                        } catch (Exception serverGone) {
                            return null;
                        }
                    }
                    return null;
                });
            }
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (acknowledged.size() < 300 && System.nanoTime() < deadline) {
                Thread.sleep(10); // waiting for load to build up, not for time to pass
            }
            serve.process().destroyForcibly();
            serve.process().waitFor();
            pool.shutdownNow();
            assertThat(acknowledged.size()).isGreaterThanOrEqualTo(300);

            List<String> stored = bed.jdbi.withHandle(h -> h.createQuery(
                    "SELECT payload -> 'change' -> 'value' ->> 'comment_id' FROM cmis_platform.webhook_events")
                    .mapTo(String.class).list());
            assertThat(stored).containsAll(acknowledged);
        }
    }

    @Test
    void sigterm_finishes_and_gives_back_what_it_holds() throws Exception {
        try (PlatformTestBed bed = new PlatformTestBed()) {
            CliProcess serve = serve(bed, "2");
            int port = port(serve);
            String body = "{\"object\":\"page\",\"entry\":[{\"id\":\"1\",\"time\":1,\"changes\":[{\"field\":\"feed\","
                    + "\"value\":{\"item\":\"status\",\"verb\":\"add\",\"post_id\":\"1_2\"}}]}]}";
            assertThat(post(port, "meta", WebhookEmitter.meta(body)).statusCode()).isEqualTo(200);
            awaitCount(bed, "SELECT count(*) FROM cmis_platform.webhook_events WHERE status = 'processed'", 1);

            serve.terminate();
            io.cmis.platform.support.CliRun.Result finished = serve.finish();
            String output = finished.stdout();
            assertThat(finished.exitCode()).as("a drained stop is a clean one for systemd, not the JVM's 143: " + output)
                    .isZero();
            assertThat(output).contains("stopping");
            assertThat(count(bed, "SELECT count(*) FROM cmis_platform.webhook_events WHERE status <> 'processed'"))
                    .isZero();
            assertThat(output).doesNotContain("Exception");
        }
    }

    private static CliProcess serve(PlatformTestBed bed, String workers) throws InterruptedException {
        Map<String, String> env = bed.processEnvironment();
        CliProcess serve = CliProcess.start(env, "serve", "--port", "0", "--workers", workers);
        serve.awaitOutput("listening on");
        return serve;
    }

    private static int port(CliProcess serve) {
        Matcher m = LISTENING.matcher(serve.output());
        assertThat(m.find()).as(serve.output()).isTrue();
        return Integer.parseInt(m.group(1));
    }

    private HttpResponse<String> post(int port, String platform, WebhookEmitter.Delivery delivery) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/webhooks/"
                        + platform)).timeout(Duration.ofSeconds(20))
                .POST(HttpRequest.BodyPublishers.ofString(delivery.body()));
        delivery.headers().forEach(request::header);
        return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static int count(PlatformTestBed bed, String sql) {
        return bed.jdbi.withHandle(h -> h.createQuery(sql).mapTo(Integer.class).one());
    }

    /** Waits (with a deadline) until the workers of the serve processes have done their part. */
    private static void awaitCount(PlatformTestBed bed, String sql, int expected) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (count(bed, sql) < expected && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertThat(count(bed, sql)).isEqualTo(expected);
    }
}
