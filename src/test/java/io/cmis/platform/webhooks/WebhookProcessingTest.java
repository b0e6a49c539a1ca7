package io.cmis.platform.webhooks;

import com.fasterxml.jackson.databind.JsonNode;
import io.cmis.platform.cli.Json;
import io.cmis.platform.sandbox.MetaSimulator;
import io.cmis.platform.sandbox.TikTokSimulator;
import io.cmis.platform.sandbox.WebhookEmitter;
import io.cmis.platform.support.CliRun;
import io.cmis.platform.support.ForwardReceiver;
import io.cmis.platform.support.OAuthUser;
import io.cmis.platform.support.PlatformTestBed;
import io.cmis.platform.support.WebhookServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Workers, effects, forwarding, retries, dead letters, replay and cleanup, against a real database and HTTP. */
class WebhookProcessingTest {
    private static final String SECRET_BYTES = "a-forwarding-secret-of-32-bytes!";
    private static final String SECRET = "whsec_" + Base64.getEncoder().encodeToString(
            SECRET_BYTES.getBytes(StandardCharsets.UTF_8));

    private final String org = UUID.randomUUID().toString();
    private ForwardReceiver receiver;
    private PlatformTestBed bed;
    private WebhookServer server;
    private CliRun cli;

    @BeforeEach
    void start() {
        receiver = new ForwardReceiver();
        Map<String, String> forwarding = Map.of("CMIS_WEBHOOKS_FORWARD_URL", receiver.url(),
                "CMIS_WEBHOOKS_FORWARD_SECRET", SECRET);
        bed = new PlatformTestBed(forwarding);
        server = new WebhookServer(bed);
        cli = bed.cli();
        forwarding.forEach(cli::env);
    }

    @AfterEach
    void stop() {
        server.close();
        bed.close();
        receiver.close();
    }

    @Test
    void tiktok_authorization_removed_revokes_the_integration_once_and_a_replay_changes_nothing() throws Exception {
        String integration = OAuthUser.connect(cli, org, "tiktok", "--kind", "tt_user").get("id").asText();
        post("tiktok", WebhookEmitter.tiktok(removed(TikTokSimulator.OPEN_ID), now()));

        JsonNode run = processJson();
        assertThat(run.get("succeeded").asInt()).isEqualTo(1);
        assertThat(run.at("/items/0/detail").asText()).isEqualTo("revoked integration " + integration);
        assertThat(status(integration)).isEqualTo("revoked");
        assertThat(notifications("revoked")).isEqualTo(1);

        String event = event().id().toString();
        cli.run("webhooks", "replay", "--event", event).ok();
        JsonNode again = processJson();
        assertThat(again.at("/items/0/detail").asText()).isEqualTo("already revoked");
        assertThat(notifications("revoked")).as("one alert, however often it is processed").isEqualTo(1);
        assertThat(receiver.received()).hasSize(2); // forwarded at least once; the receiver dedupes by webhook-id
        assertThat(receiver.received()).extracting(r -> r.headers().get("webhook-id")).containsOnly(event);
    }

    @Test
    void meta_deauthorize_callback_revokes_the_meta_integration() throws Exception {
        String integration = OAuthUser.connect(cli, org, "meta").get("id").asText();
        assertThat(post("meta", WebhookEmitter.metaDeauthorize(MetaSimulator.USER_ID, now()))).contains("queued");
        String forged = MetaSimulator.deauthorizeBody(MetaSimulator.USER_ID, now() + 1).replace(".ey", ".eX");
        assertThat(server.post("meta", new WebhookEmitter.Delivery(
                Map.of("content-type", "application/x-www-form-urlencoded"), forged)).statusCode()).isEqualTo(401);

        processJson();
        assertThat(status(integration)).isEqualTo("revoked");
        assertThat(event().orgId().toString()).isEqualTo(org);
    }

    @Test
    void an_event_no_org_matches_is_processed_marked_unmatched_and_listed() throws Exception {
        post("tiktok", WebhookEmitter.tiktok(removed("act.someone-else"), now()));
        JsonNode run = processJson();
        assertThat(run.get("succeeded").asInt()).isEqualTo(1);
        assertThat(run.at("/items/0/detail").asText()).startsWith("unmatched");
        JsonNode listed = Json.MAPPER.readTree(cli.run("--json", "webhooks", "list", "--unmatched").ok().stdout());
        assertThat(listed).hasSize(1);
        assertThat(listed.get(0).get("status").asText()).isEqualTo("processed");
        assertThat(listed.get(0).get("unmatched").asBoolean()).isTrue();
    }

    @Test
    void forwarded_events_carry_a_standard_webhooks_signature_the_receiver_can_check() throws Exception {
        post("meta", WebhookEmitter.meta(WebhookIntakeTest.PAGE_COMMENT));
        processJson();
        assertThat(receiver.received()).hasSize(2);
        for (ForwardReceiver.Received r : receiver.received()) {
            String id = r.headers().get("webhook-id");
            String timestamp = r.headers().get("webhook-timestamp");
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(SECRET_BYTES.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            String expected = "v1," + Base64.getEncoder().encodeToString(
                    mac.doFinal((id + "." + timestamp + "." + r.body()).getBytes(StandardCharsets.UTF_8)));
            assertThat(r.headers().get("webhook-signature")).isEqualTo(expected);
            assertThat(Long.parseLong(timestamp)).isEqualTo(bed.clock.instant().getEpochSecond());
            JsonNode body = Json.MAPPER.readTree(r.body());
            assertThat(body.get("id").asText()).isEqualTo(id);
            assertThat(body.get("type").asText()).isEqualTo("page.feed");
            assertThat(body.at("/payload/entry_id").asText()).isEqualTo("112233445566");
        }
    }

    @Test
    void transient_failures_retry_after_10_30_and_60_seconds_then_dead_and_a_replay_brings_them_back() throws Exception {
        receiver.answer(503);
        post("tiktok", WebhookEmitter.tiktok(removed("act.nobody"), now()));
        long[] waits = {10, 30, 60};
        for (long wait : waits) {
            Instant failedAt = bed.clock.instant();
            CliRun.Result run = cli.run("--json", "webhooks", "process");
            assertThat(run.exitCode()).isEqualTo(1);
            StoredEvent e = event();
            assertThat(e.status()).isEqualTo("retrying");
            assertThat(e.lastError()).contains("HTTP 503");
            assertThat(Duration.between(failedAt, e.nextAttemptAt()).toMillis())
                    .as("wait after a failure, ±10% jitter").isBetween(wait * 900, wait * 1100);
            assertThat(processJson().get("items")).as("not due before its time").isEmpty();
            JsonNode stats = Json.MAPPER.readTree(cli.run("--json", "webhooks", "stats").ok().stdout());
            assertThat(stats.get("pending_retries").asInt()).isEqualTo(1);
            assertThat(stats.get("dead_letter_queue").asInt()).isZero();
            bed.clock.set(e.nextAttemptAt());
        }
        cli.run("webhooks", "process");
        assertThat(event().status()).isEqualTo("dead");
        assertThat(event().attempts()).isEqualTo(4);
        assertThat(cli.run("webhooks", "list", "--status", "dead").ok().stdout()).contains("HTTP 503");
        JsonNode stats = Json.MAPPER.readTree(cli.run("--json", "webhooks", "stats").ok().stdout());
        assertThat(stats.get("pending_retries").asInt()).isZero();
        assertThat(stats.get("dead_letter_queue").asInt()).isEqualTo(1);
        assertThat(stats.get("retry_success_rate").asDouble()).isZero();
        assertThat(cli.run("webhooks", "stats").ok().stdout()).containsPattern("retry success rate \\(24 h\\): +0.0%");

        receiver.answer(200);
        assertThat(cli.run("webhooks", "replay", "--dead", "--dry-run").ok().stdout()).contains("would re-queue 1 events");
        assertThat(event().status()).as("a dry run changes nothing").isEqualTo("dead");
        assertThat(cli.run("webhooks", "replay", "--dead").ok().stdout()).contains("re-queued 1 events");
        assertThat(cli.run("webhooks", "replay", "--dead").ok().stdout()).as("twice is harmless")
                .contains("re-queued 0 events");
        assertThat(processJson().get("succeeded").asInt()).isEqualTo(1);
        assertThat(event().status()).isEqualTo("processed");
    }

    @Test
    void a_permanent_failure_is_dead_at_once_with_its_reason() throws Exception {
        receiver.answer(410);
        post("tiktok", WebhookEmitter.tiktok(removed("act.nobody"), now()));
        processJson();
        StoredEvent e = event();
        assertThat(e.status()).isEqualTo("dead");
        assertThat(e.attempts()).isEqualTo(1);
        assertThat(e.lastError()).isEqualTo("the forward URL answered HTTP 410");
    }

    @Test
    void events_a_worker_holds_are_skipped_and_when_it_dies_go_to_another_at_once_and_the_effect_happens_once()
            throws Exception {
        String integration = OAuthUser.connect(cli, org, "tiktok", "--kind", "tt_user").get("id").asText();
        post("tiktok", WebhookEmitter.tiktok(removed(TikTokSimulator.OPEN_ID), now()));
        // A worker locks the event and dies before finishing it: its transaction never commits.
        List<EventOutcome> whileHeld = new java.util.ArrayList<>();
        assertThatThrownBy(() -> bed.tenancy().systemWide("test: a worker that dies", h -> {
            assertThat(new WebhookEventRepository(h).lockDue(10, bed.clock.instant(), true, Duration.ofMinutes(2)))
                    .hasSize(1);
            whileHeld.addAll(server.processAll());
            throw new IllegalStateException("the worker died");
        })).hasMessage("the worker died");
        assertThat(whileHeld).as("held by the other worker").isEmpty();

        List<EventOutcome> outcomes = server.processAll();
        assertThat(outcomes).extracting(EventOutcome::outcome).containsExactly("processed");
        assertThat(event().attempts()).as("the attempt that died left nothing").isEqualTo(1);
        assertThat(status(integration)).isEqualTo("revoked");
        assertThat(notifications("revoked")).isEqualTo(1);
        assertThat(server.processAll()).isEmpty();
    }

    @Test
    void a_webhooks_process_killed_mid_event_leaves_it_to_the_next_worker_and_the_effect_happens_once()
            throws Exception {
        String integration = OAuthUser.connect(cli, org, "tiktok", "--kind", "tt_user").get("id").asText();
        post("tiktok", WebhookEmitter.tiktok(removed(TikTokSimulator.OPEN_ID), now()));
        receiver.delay(Duration.ofSeconds(30));
        Map<String, String> env = bed.processEnvironment();
        env.put("CMIS_WEBHOOKS_FORWARD_URL", receiver.url());
        env.put("CMIS_WEBHOOKS_FORWARD_SECRET", SECRET);
        env.put("CMIS_WEBHOOKS_LEASE", "5s");
        io.cmis.platform.support.CliProcess worker = io.cmis.platform.support.CliProcess.start(env, "webhooks", "process");
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (receiver.received().isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(20); // waiting for the worker to be inside the delivery, after the effect
        }
        assertThat(receiver.received()).as("the worker reached the forwarding").hasSize(1);
        worker.kill(); // kill -9: no outcome recorded; its connection closes and its lock goes with it
        assertThat(status(integration)).as("the effect was applied before the kill").isEqualTo("revoked");
        assertThat(event().status()).isEqualTo("queued");

        receiver.delay(Duration.ZERO);
        // The server notices the closed connection by itself, in milliseconds; no lease to wait for.
        List<EventOutcome> next = List.of();
        for (long until = System.nanoTime() + Duration.ofSeconds(10).toNanos(); next.isEmpty()
                && System.nanoTime() < until; ) {
            next = server.processAll();
        }
        assertThat(next).extracting(EventOutcome::outcome).containsExactly("processed");
        assertThat(next.get(0).detail()).isEqualTo("already revoked");
        assertThat(notifications("revoked")).as("one alert for one revocation").isEqualTo(1);
        assertThat(receiver.received()).extracting(r -> r.headers().get("webhook-id"))
                .as("delivered again under the same id, for the receiver to dedupe").hasSize(2).containsOnly(
                        event().id().toString());
    }

    @Test
    void a_worker_gone_silent_holding_its_batch_has_its_session_ended_by_the_server_and_the_batch_goes_to_another()
            throws Exception {
        post("tiktok", WebhookEmitter.tiktok(removed("act.user-silent"), now()));
        List<EventOutcome> taken = new java.util.ArrayList<>();
        assertThatThrownBy(() -> bed.tenancy().systemWideApart("test: a worker whose host froze", h -> {
            assertThat(new WebhookEventRepository(h).lockDue(10, bed.clock.instant(), false, Duration.ofMillis(300)))
                    .hasSize(1);
            // This worker now says nothing; the others keep looking (not waiting for time to pass).
            for (long until = System.nanoTime() + Duration.ofSeconds(20).toNanos(); taken.isEmpty()
                    && System.nanoTime() < until; ) {
                taken.addAll(server.processAll());
            }
            return null;
        })).as("the silent worker's commit finds its session ended").isNotNull();
        assertThat(taken).extracting(EventOutcome::outcome).containsExactly("processed");
        assertThat(event().attempts()).isEqualTo(1);
    }

    @Test
    void a_batch_that_outlasts_the_lease_starts_no_more_of_its_events_and_leaves_them_due() throws Exception {
        for (int i = 0; i < 3; i++) {
            post("tiktok", WebhookEmitter.tiktok(removed("act.user-" + i), now()));
        }
        WebhookSettings settings = WebhookSettings.from(bed.config);
        // Each look at the clock finds two thirds of the lease gone: the second event comes after it.
        Duration step = settings.lease().multipliedBy(2).dividedBy(3);
        Instant start = bed.clock.instant();
        java.util.concurrent.atomic.AtomicLong looks = new java.util.concurrent.atomic.AtomicLong();
        java.time.Clock slow = new java.time.Clock() {
            @Override
            public java.time.ZoneId getZone() {
                return java.time.ZoneOffset.UTC;
            }

            @Override
            public java.time.Clock withZone(java.time.ZoneId zone) {
                return this;
            }

            @Override
            public Instant instant() {
                return start.plus(step.multipliedBy(looks.getAndIncrement()));
            }
        };
        List<EventOutcome> outcomes = new WebhookProcessor(bed.tenancy(), settings, slow, new java.util.Random(7), "slow",
                bed.registry()).processBatch(10, () -> false);

        assertThat(outcomes).extracting(EventOutcome::outcome).containsExactly("processed", "released", "released");
        assertThat(server.processAll()).as("left due, untouched").extracting(EventOutcome::outcome)
                .containsExactly("processed", "processed");
    }

    @Test
    void two_workers_at_once_never_take_the_same_event() throws Exception {
        for (int i = 0; i < 200; i++) {
            post("tiktok", WebhookEmitter.tiktok(removed("act.user-" + i), now()));
        }
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(2);
        try {
            List<java.util.concurrent.Future<List<EventOutcome>>> runs = List.of(
                    pool.submit(() -> drain(server.processor("a"))), pool.submit(() -> drain(server.processor("b"))));
            List<UUID> all = new java.util.ArrayList<>();
            for (var run : runs) {
                run.get().forEach(o -> all.add(o.id()));
            }
            assertThat(all).hasSize(200).doesNotHaveDuplicates();
        } finally {
            pool.shutdownNow();
        }
        assertThat(receiver.received()).hasSize(200);
    }

    @Test
    void cleanup_deletes_old_processed_events_in_batches_and_keeps_what_is_waiting() throws Exception {
        int old = WebhookAdmin.CLEANUP_BATCH + 20; // more than one batch
        for (int i = 0; i < old; i++) {
            post("tiktok", WebhookEmitter.tiktok(removed("act.old-" + i), now()));
        }
        server.processAll();
        receiver.answer(410);
        post("tiktok", WebhookEmitter.tiktok(removed("act.dead"), now()));
        server.processAll();
        post("tiktok", WebhookEmitter.tiktok(removed("act.queued"), now()));
        bed.clock.advance(Duration.ofDays(30).plusMinutes(1));
        receiver.answer(200);
        post("tiktok", WebhookEmitter.tiktok(removed("act.recent"), now()));
        server.processAll(); // processes "queued" (now recent) and "recent"

        JsonNode cleaned = Json.MAPPER.readTree(cli.run("--json", "webhooks", "cleanup").ok().stdout());
        assertThat(cleaned.get("deleted").asLong()).isEqualTo(old);
        assertThat(count("processed")).isEqualTo(2);
        assertThat(count("dead")).isEqualTo(1);
        assertThat(cli.run("webhooks", "cleanup", "--older-than", "30d", "--include-dead").ok().stdout())
                .contains("deleted 1 events");
        assertThat(count("dead")).isZero();
        assertThat(cli.run("webhooks", "cleanup", "--older-than", "soon").exitCode()).isEqualTo(2);
    }

    @Test
    void replay_reports_unknown_ids_and_needs_exactly_one_selection() throws Exception {
        CliRun.Result unknown = cli.run("webhooks", "replay", "--event", UUID.randomUUID().toString());
        assertThat(unknown.exitCode()).isEqualTo(1);
        assertThat(unknown.stdout()).contains("no such event");
        CliRun.Result none = cli.run("webhooks", "replay");
        assertThat(none.exitCode()).isEqualTo(2);
        CliRun.Result both = cli.run("webhooks", "replay", "--dead", "--platform", "meta", "--since", "2h");
        assertThat(both.exitCode()).isEqualTo(2);
        assertThat(cli.run("webhooks", "replay", "--platform", "meta", "--since", "yesterday").exitCode()).isEqualTo(2);
        assertThat(cli.run("webhooks", "list", "--status", "lost").exitCode()).isEqualTo(2);

        post("meta", WebhookEmitter.meta(WebhookIntakeTest.PAGE_COMMENT));
        server.processAll();
        String since = bed.clock.instant().minusSeconds(60).toString();
        assertThat(cli.run("webhooks", "replay", "--platform", "meta", "--since", since).ok().stdout())
                .contains("re-queued 2 events");
        assertThat(count("queued")).isEqualTo(2);
    }

    private List<EventOutcome> drain(WebhookProcessor processor) {
        List<EventOutcome> all = new java.util.ArrayList<>();
        for (List<EventOutcome> batch; !(batch = processor.processBatch(7, () -> false)).isEmpty(); ) {
            all.addAll(batch);
        }
        return all;
    }

    private long now() {
        return bed.clock.instant().getEpochSecond();
    }

    /** TikTok's event as it is sent when it happens: created now (the bed's clock), after the connect. */
    private String removed(String openId) {
        return removed(openId, now());
    }

    static String removed(String openId, long createTime) {
        return "{\"client_key\":\"sandbox\",\"event\":\"authorization.removed\",\"create_time\":" + createTime
                + ",\"user_openid\":\"" + openId + "\",\"content\":\"{\\\"reason\\\": 1}\"}";
    }

    private String post(String platform, WebhookEmitter.Delivery delivery) throws Exception {
        var answer = server.post(platform, delivery);
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
        return answer.body();
    }

    private JsonNode processJson() throws Exception {
        return Json.MAPPER.readTree(cli.run("--json", "webhooks", "process").stdout());
    }

    private StoredEvent event() {
        List<StoredEvent> events = bed.tenancy().systemWide("test", h -> new WebhookEventRepository(h)
                .list(java.util.Optional.empty(), java.util.Optional.empty(), false, 10));
        assertThat(events).hasSize(1);
        return events.get(0);
    }

    private String status(String integration) {
        return bed.jdbi.withHandle(h -> h.createQuery("SELECT status FROM cmis_platform.integrations WHERE id = :id")
                .bind("id", UUID.fromString(integration)).mapTo(String.class).one());
    }

    private int notifications(String kind) {
        return bed.jdbi.withHandle(h -> h.createQuery("SELECT count(*) FROM cmis_platform.notifications WHERE kind = :k")
                .bind("k", kind).mapTo(Integer.class).one());
    }

    private int count(String status) {
        return bed.jdbi.withHandle(h -> h.createQuery(
                "SELECT count(*) FROM cmis_platform.webhook_events WHERE status = :s").bind("s", status)
                .mapTo(Integer.class).one());
    }
}
