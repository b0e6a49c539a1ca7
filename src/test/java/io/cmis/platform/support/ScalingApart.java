package io.cmis.platform.support;

import io.cmis.platform.cli.Json;
import io.cmis.platform.sandbox.WebhookEmitter;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Intake and processing in separate processes, as real JVMs on a bed's database: an intake-only
 * {@code serve} ({@code webhooks.workers=0} in its configuration file) and {@code webhooks work}
 * processes, with a forward receiver counting what each event caused. The scenarios run on the
 * embedded database and on the production bed alike.
 */
public final class ScalingApart {
    private static final Pattern LISTENING = Pattern.compile("listening on http://127\\.0\\.0\\.1:(\\d+)");
    private static final Pattern WORKING = Pattern.compile("liveness on http://127\\.0\\.0\\.1:(\\d+)/health/live");
    private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private static final String PROCESSED = "SELECT count(*) FROM cmis_platform.webhook_events WHERE status = 'processed'";

    private ScalingApart() {
    }

    /**
     * An intake-only serve takes {@code events} deliveries and processes none; two {@code webhooks work}
     * processes then drain them and {@link #DURING} more arriving meanwhile, both at once, each event
     * processed (and forwarded) exactly once.
     */
    public static void intakeOnlyServeThenTwoWorkersDrainEachEventOnce(PlatformTestBed bed, int events) throws Exception {
        try (ForwardReceiver receiver = new ForwardReceiver()) {
            Map<String, String> env = forwarding(bed, receiver);
            CliProcess serve = intakeOnlyServe(env);
            List<CliProcess> workers = new java.util.ArrayList<>();
            try {
                int port = port(serve, LISTENING);
                String live = get(port, "/health/live").body();
                assertThat(Json.MAPPER.readTree(live).get("loops").toString())
                        .as("an intake-only serve runs no worker loop").doesNotContain("webhook workers")
                        .contains("webhook intake committer");
                post(port, "before", events);
                assertThat(count(bed, "SELECT count(*) FROM cmis_platform.webhook_events WHERE status = 'queued'"))
                        .as("stored, and nothing in serve processes them").isEqualTo(events);
                assertThat(receiver.received()).isEmpty();

                receiver.delay(Duration.ofMillis(100)); // each worker busy long enough for the other to share
                workers.add(work(env, "--workers", "2"));
                workers.add(work(env, "--workers", "2"));
                post(port, "during", DURING);
                awaitCount(bed, PROCESSED, events + DURING);
                long processedByBoth = 0;
                for (CliProcess worker : workers) {
                    assertThat(get(livePort(worker), "/health/live").statusCode()).isEqualTo(200);
                    worker.terminate();
                    CliRun.Result stopped = worker.finish();
                    assertThat(stopped.exitCode()).as(stopped.stdout()).isZero();
                    long mine = processedCount(stopped.stdout());
                    assertThat(mine).as("each worker process took its share: " + stopped.stdout()).isPositive();
                    processedByBoth += mine;
                }
                assertThat(processedByBoth).as("no event processed by both").isEqualTo(events + DURING);
                assertThat(count(bed, "SELECT count(*) FROM cmis_platform.webhook_events")).isEqualTo(events + DURING);
                Map<String, Long> forwards = forwardsById(receiver);
                assertThat(forwards).as("every event forwarded").hasSize(events + DURING);
                assertThat(forwards.values()).as("none forwarded twice").containsOnly(1L);
            } finally {
                serve.kill();
                for (CliProcess worker : workers) {
                    worker.kill();
                }
            }
        }
    }

    /**
     * Events arriving while both worker processes run: at 100 ms a forward, one process's two workers
     * alone would need 2 s, longer than the 1 s in which every idle worker of the other looks for work.
     */
    private static final int DURING = 40;
    private static final Pattern STOPPED = Pattern.compile("stopped: (\\d+) events processed");

    /** What a {@code webhooks work} says it processed when it stopped. */
    public static long processedCount(String output) {
        Matcher m = STOPPED.matcher(output);
        assertThat(m.find()).as(output).isTrue();
        return Long.parseLong(m.group(1));
    }

    /**
     * SIGTERM to a {@code webhooks work} mid-drain: it exits 0, the events it held are finished (the
     * forwards it made are recorded processed) or given back; another worker finishes the rest, and
     * no event is forwarded twice.
     */
    public static void sigtermMidDrainLosesNothingAndDoublesNothing(PlatformTestBed bed, int events) throws Exception {
        try (ForwardReceiver receiver = new ForwardReceiver()) {
            Map<String, String> env = forwarding(bed, receiver);
            CliProcess serve = intakeOnlyServe(env);
            try {
                post(port(serve, LISTENING), "term", events);
                receiver.delay(Duration.ofMillis(100)); // a drain long enough to stop in the middle of
                CliProcess worker = work(env, "--workers", "2");
                long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
                while (receiver.received().size() < 4 && System.nanoTime() < deadline) {
                    Thread.sleep(10); // waiting for the drain to be under way, not for time to pass
                }
                worker.terminate();
                CliRun.Result stopped = worker.finish();
                assertThat(stopped.exitCode()).as(stopped.stdout()).isZero();
                assertThat(stopped.stdout()).contains("stopping").contains("stopped: ").doesNotContain("Exception");
                int processed = count(bed, PROCESSED);
                assertThat(processed).as("stopped mid-drain").isBetween(4, events - 1);
                assertThat(count(bed, "SELECT count(*) FROM cmis_platform.webhook_events "
                        + "WHERE status = 'queued' AND attempts = 0")).as("the rest due again, untouched")
                        .isEqualTo(events - processed);
                assertThat(receiver.received()).as("each event in hand finished and recorded").hasSize(processed);

                receiver.delay(Duration.ZERO);
                CliProcess rest = work(env, "--workers", "2");
                try {
                    awaitCount(bed, PROCESSED, events);
                } finally {
                    rest.terminate();
                    assertThat(rest.finish().exitCode()).isZero();
                }
                Map<String, Long> forwards = forwardsById(receiver);
                assertThat(forwards).as("nothing lost").hasSize(events);
                assertThat(forwards.values()).as("nothing processed twice").containsOnly(1L);
            } finally {
                serve.kill();
            }
        }
    }

    /** Environment for processes on the bed's database that forward every processed event to {@code receiver}. */
    /**
     * {@code kill -9} to a {@code webhooks work} in the middle of a forward: nothing of its batch is
     * recorded and every event of it is due again at once (its connection closed, its transaction and
     * row locks went with it: no lease to wait for); the next worker processes them, the one in hand
     * forwarded again under the same {@code webhook-id} and recorded once, its killed attempt not counted.
     */
    public static void killedMidForwardLeavesItsBatchDueAtOnce(PlatformTestBed bed) throws Exception {
        try (ForwardReceiver receiver = new ForwardReceiver()) {
            Map<String, String> env = forwarding(bed, receiver);
            // A lease far beyond the wait below: only the killed worker's transaction ending frees its batch.
            env.put("CMIS_WEBHOOKS_LEASE", "5m");
            CliProcess serve = intakeOnlyServe(env);
            try {
                post(port(serve, LISTENING), "kill", 6);
                receiver.delay(Duration.ofSeconds(2)); // the kill lands while the event is being forwarded
                CliProcess worker = work(env, "--workers", "1");
                long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
                while (receiver.received().isEmpty() && System.nanoTime() < deadline) {
                    Thread.sleep(10); // waiting for the worker to be inside a forward, not for time to pass
                }
                worker.kill();
                assertThat(count(bed, "SELECT count(*) FROM cmis_platform.webhook_events "
                        + "WHERE status = 'queued' AND attempts = 0")).as("nothing of its batch recorded, all due again")
                        .isEqualTo(6);
                String inHand = receiver.received().get(0).headers().get("webhook-id");

                receiver.delay(Duration.ZERO);
                CliProcess next = work(env, "--workers", "1");
                try {
                    awaitProcessed(bed, 6);
                } finally {
                    next.terminate();
                    assertThat(next.finish().exitCode()).isZero();
                }
                Map<String, Long> forwards = forwardsById(receiver);
                assertThat(forwards).as("every event forwarded").hasSize(6);
                assertThat(forwards.get(inHand)).as("the one in hand again, under the same webhook-id").isEqualTo(2L);
                assertThat(forwards.values().stream().filter(n -> n > 1).count()).as("only that one").isEqualTo(1);
                assertThat(count(bed, "SELECT count(*) FROM cmis_platform.webhook_events "
                        + "WHERE status = 'processed' AND processed_at IS NOT NULL")).isEqualTo(6);
                assertThat(count(bed, "SELECT attempts FROM cmis_platform.webhook_events WHERE id = '"
                        + inHand + "'")).as("the attempt killed left no count").isEqualTo(1);
            } finally {
                serve.kill();
            }
        }
    }

    public static Map<String, String> forwarding(PlatformTestBed bed, ForwardReceiver receiver) {
        Map<String, String> env = bed.processEnvironment();
        env.put("CMIS_WEBHOOKS_FORWARD_URL", receiver.url());
        env.put("CMIS_WEBHOOKS_FORWARD_SECRET", "whsec_" + java.util.Base64.getEncoder().encodeToString(new byte[32]));
        // Small batches, so that workers share a backlog of a few dozen events instead of one taking all.
        env.put("CMIS_WEBHOOKS_BATCH_SIZE", "3");
        return env;
    }

    /** {@code serve} with {@code webhooks.workers=0} in its configuration file (no --workers). */
    public static CliProcess intakeOnlyServe(Map<String, String> env) throws Exception {
        Path file = Files.createTempFile("cmis-intake-only", ".properties");
        Files.writeString(file, "# an intake-only host\nwebhooks.workers=0\n");
        CliProcess serve = CliProcess.start(env, "--config", file.toString(), "serve", "--port", "0");
        serve.awaitOutput("listening on");
        assertThat(serve.output()).contains("; 0 workers)");
        return serve;
    }

    /** {@code webhooks work} with its liveness on a free port, once it works. */
    public static CliProcess work(Map<String, String> env, String... options) throws InterruptedException {
        List<String> args = new java.util.ArrayList<>(List.of("webhooks", "work", "--port", "0"));
        args.addAll(List.of(options));
        CliProcess worker = CliProcess.start(env, args.toArray(String[]::new));
        worker.awaitOutput("liveness on");
        return worker;
    }

    public static int port(CliProcess process, Pattern pattern) {
        Matcher m = pattern.matcher(process.output());
        assertThat(m.find()).as(process.output()).isTrue();
        return Integer.parseInt(m.group(1));
    }

    public static int livePort(CliProcess worker) {
        return port(worker, WORKING);
    }

    /** {@code n} distinct signed Meta page-feed deliveries, each answered 200. */
    public static void post(int port, String prefix, int n) throws Exception {
        for (int i = 0; i < n; i++) {
            String body = "{\"object\":\"page\",\"entry\":[{\"id\":\"1\",\"time\":1,\"changes\":[{\"field\":\"feed\","
                    + "\"value\":{\"item\":\"comment\",\"verb\":\"add\",\"comment_id\":\"" + prefix + i + "\"}}]}]}";
            WebhookEmitter.Delivery delivery = WebhookEmitter.meta(body);
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                    + "/webhooks/meta")).timeout(Duration.ofSeconds(20)).POST(HttpRequest.BodyPublishers.ofString(body));
            delivery.headers().forEach(request::header);
            HttpResponse<String> answer = CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofString());
            assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
        }
    }

    public static HttpResponse<String> get(int port, String path) throws Exception {
        return CLIENT.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** How many times each event id ({@code webhook-id}) reached the receiver. */
    public static Map<String, Long> forwardsById(ForwardReceiver receiver) {
        return receiver.received().stream().collect(Collectors.groupingBy(r -> r.headers().get("webhook-id"),
                Collectors.counting()));
    }

    public static int count(PlatformTestBed bed, String sql) {
        return bed.jdbi.withHandle(h -> h.createQuery(sql).mapTo(Integer.class).one());
    }

    public static int processed(PlatformTestBed bed) {
        return count(bed, PROCESSED);
    }

    /** Waits (with a deadline) until {@code sql} counts {@code expected}. */
    public static void awaitCount(PlatformTestBed bed, String sql, int expected) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (count(bed, sql) < expected && System.nanoTime() < deadline) {
            Thread.sleep(50); // waiting for the workers, not for time to pass
        }
        assertThat(count(bed, sql)).isEqualTo(expected);
    }

    public static void awaitProcessed(PlatformTestBed bed, int expected) throws InterruptedException {
        awaitCount(bed, PROCESSED, expected);
    }
}
