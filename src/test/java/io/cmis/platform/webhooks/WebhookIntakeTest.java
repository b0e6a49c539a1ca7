package io.cmis.platform.webhooks;

import io.cmis.platform.sandbox.GoogleSimulator;
import io.cmis.platform.sandbox.WebhookEmitter;
import io.cmis.platform.support.PlatformTestBed;
import io.cmis.platform.support.WebhookServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;

/** POST /webhooks/{platform} over real HTTP: verified, deduplicated, stored before the 200; refused ones store nothing. */
class WebhookIntakeTest {
    static final String PAGE_COMMENT = """
            {"object":"page","entry":[{"id":"112233445566","time":1767225600,"changes":[
              {"field":"feed","value":{"item":"comment","verb":"add","post_id":"112233445566_998877",
               "comment_id":"998877_554433","message":"Love it!","created_time":1767225590}},
              {"field":"feed","value":{"item":"reaction","verb":"add","post_id":"112233445566_998877",
               "reaction_type":"like"}}]}]}""";
    static final String TIKTOK_REMOVED = """
            {"client_key":"sandbox-tiktok-app","event":"authorization.removed","create_time":1767225600,
             "user_openid":"act.sandbox-open-id","content":"{\\"reason\\": 1}"}""";

    private PlatformTestBed bed;
    private WebhookServer server;

    @BeforeEach
    void start() {
        bed = new PlatformTestBed();
        server = new WebhookServer(bed);
    }

    @AfterEach
    void stop() {
        server.close();
        bed.close();
    }

    @Test
    void a_signed_meta_batch_is_stored_as_one_event_per_change_and_a_repeat_is_already_processed() throws Exception {
        HttpResponse<String> first = server.post("meta", WebhookEmitter.meta(PAGE_COMMENT));
        assertThat(first.statusCode()).isEqualTo(200);
        assertThat(first.body()).contains("\"status\":\"queued\"").contains("\"events\":2").contains("\"stored\":2");
        assertThat(rows()).isEqualTo(2);

        HttpResponse<String> again = server.post("meta", WebhookEmitter.meta(PAGE_COMMENT));
        assertThat(again.statusCode()).isEqualTo(200);
        assertThat(again.body()).contains("\"status\":\"already_processed\"");
        assertThat(rows()).isEqualTo(2);
        int queued = bed.jdbi.withHandle(h -> h.createQuery(
                "SELECT count(*) FROM cmis_platform.webhook_events WHERE status = 'queued' AND event_type = 'page.feed'")
                .mapTo(Integer.class).one());
        assertThat(queued).isEqualTo(2);
    }

    @Test
    void every_platform_accepts_its_signed_deliveries_and_refuses_bad_or_missing_signatures() throws Exception {
        long now = bed.clock.instant().getEpochSecond();
        Map<String, WebhookEmitter.Delivery> signed = Map.of(
                "meta", WebhookEmitter.meta(PAGE_COMMENT),
                "tiktok", WebhookEmitter.tiktok(TIKTOK_REMOVED, now),
                "google", WebhookEmitter.google(bed.sandbox.google(), "msg-1", "{\"notice\":1}", bed.clock.instant()));
        for (Map.Entry<String, WebhookEmitter.Delivery> d : signed.entrySet()) {
            String platform = d.getKey();
            assertThat(server.post(platform, d.getValue().missigned()).statusCode()).as(platform + " mis-signed")
                    .isEqualTo(401);
            assertThat(server.post(platform, new WebhookEmitter.Delivery(Map.of("content-type", "application/json"),
                    d.getValue().body())).statusCode()).as(platform + " unsigned").isEqualTo(401);
            assertThat(rows()).as("nothing stored for a refused " + platform + " delivery").isZero();
        }
        for (Map.Entry<String, WebhookEmitter.Delivery> d : signed.entrySet()) {
            HttpResponse<String> ok = server.post(d.getKey(), d.getValue());
            assertThat(ok.statusCode()).as(d.getKey() + ": " + ok.body()).isEqualTo(200);
        }
        assertThat(rows()).isEqualTo(4);
    }

    @Test
    void a_stale_tiktok_signature_and_a_google_token_from_a_foreign_key_are_refused() throws Exception {
        long sixMinutesAgo = bed.clock.instant().minus(Duration.ofMinutes(6)).getEpochSecond();
        HttpResponse<String> stale = server.post("tiktok", WebhookEmitter.tiktok(TIKTOK_REMOVED, sixMinutesAgo));
        assertThat(stale.statusCode()).isEqualTo(401);

        WebhookEmitter.Delivery foreign = WebhookEmitter.google(bed.sandbox.google(), "msg-2", "{}", bed.clock.instant());
        bed.sandbox.google().rotateSigningKey(); // the key that signed it is no longer Google's
        assertThat(server.post("google", foreign).statusCode()).isEqualTo(401);
        assertThat(rows()).isZero();
    }

    /** Google signs an ID token with any audience for any service account: who signed it is what counts. */
    @Test
    void a_google_push_signed_for_our_audience_by_another_service_account_is_refused_and_nothing_is_stored()
            throws Exception {
        GoogleSimulator google = bed.sandbox.google();
        String forgedBody = "{\"message\":{\"attributes\":{\"eventType\":\"authorization.removed\","
                + "\"customerId\":\"1111111111\"},\"messageId\":\"forged-1\","
                + "\"publishTime\":\"2026-11-25T12:00:00Z\"},\"subscription\":\"projects/attacker/subscriptions/x\"}";
        String attacker = google.pushToken(GoogleSimulator.PUSH_AUDIENCE, "mallory@attacker-project.iam.gserviceaccount.com",
                true, Duration.ofMinutes(30), bed.clock.instant());
        HttpResponse<String> foreign = server.post("google", bearer(attacker, forgedBody));
        assertThat(foreign.statusCode()).isEqualTo(401);
        assertThat(foreign.body()).contains("unauthorized").doesNotContain("queued");

        String unverified = google.pushToken(GoogleSimulator.PUSH_AUDIENCE, GoogleSimulator.PUSH_SERVICE_ACCOUNT,
                false, Duration.ofMinutes(30), bed.clock.instant());
        assertThat(server.post("google", bearer(unverified, forgedBody)).statusCode()).isEqualTo(401);
        assertThat(rows()).as("nothing stored for a push from another account").isZero();

        String ours = google.pushToken(GoogleSimulator.PUSH_AUDIENCE, Duration.ofMinutes(30), bed.clock.instant());
        assertThat(server.post("google", bearer(ours, forgedBody)).statusCode()).isEqualTo(200);
        assertThat(rows()).isEqualTo(1);
    }

    @Test
    void without_a_configured_push_service_account_every_google_push_is_refused() throws Exception {
        assertThat(new WebhookIntake(bed.registry(), null, bed.clock).refusals()).isEmpty();
        server.close();
        bed.close();
        bed = new PlatformTestBed(Map.of("CMIS_GOOGLE_PUBSUB_SERVICE_ACCOUNT", ""));
        server = new WebhookServer(bed);
        HttpResponse<String> refused = server.post("google",
                WebhookEmitter.google(bed.sandbox.google(), "m-1", "{}", bed.clock.instant()));
        assertThat(refused.statusCode()).isEqualTo(401);
        assertThat(refused.body()).contains("google.pubsub-service-account is not set");
        assertThat(rows()).isZero();
        assertThat(new WebhookIntake(bed.registry(), null, bed.clock).refusals()).as("said once by serve at start")
                .singleElement().asString().contains("every Google Pub/Sub push is refused");
    }

    private static WebhookEmitter.Delivery bearer(String token, String body) {
        return new WebhookEmitter.Delivery(Map.of("authorization", "Bearer " + token, "content-type",
                "application/json"), body);
    }

    @Test
    void malformed_oversized_and_unknown_platform_deliveries_store_nothing() throws Exception {
        HttpResponse<String> malformed = server.post("meta", WebhookEmitter.meta("{\"object\":\"page\""));
        assertThat(malformed.statusCode()).isEqualTo(400);
        assertThat(malformed.body()).contains("malformed");

        String huge = "{\"object\":\"page\",\"entry\":[],\"pad\":\"" + "x".repeat(WebhookIntake.MAX_BODY_BYTES) + "\"}";
        assertThat(server.post("meta", WebhookEmitter.meta(huge)).statusCode()).isEqualTo(413);

        HttpResponse<String> unknown = server.post("myspace", WebhookEmitter.meta(PAGE_COMMENT));
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(unknown.body()).contains("meta, google, tiktok");
        assertThat(rows()).isZero();
    }

    @Test
    void meta_handshake_echoes_the_challenge_only_for_the_right_verify_token() throws Exception {
        String token = bed.config.value("meta.verify-token");
        HttpResponse<String> ok = server.get("/webhooks/meta?hub.mode=subscribe&hub.verify_token=" + token
                + "&hub.challenge=1158201444");
        assertThat(ok.statusCode()).isEqualTo(200);
        assertThat(ok.body()).isEqualTo("1158201444");
        HttpResponse<String> wrong = server.get("/webhooks/meta?hub.mode=subscribe&hub.verify_token=nope"
                + "&hub.challenge=1158201444");
        assertThat(wrong.statusCode()).isEqualTo(403);
        assertThat(wrong.body()).doesNotContain("1158201444");
    }

    @Test
    void fifty_identical_copies_at_once_store_one_event() throws Exception {
        WebhookEmitter.Delivery delivery = WebhookEmitter.tiktok(TIKTOK_REMOVED, bed.clock.instant().getEpochSecond());
        ExecutorService pool = Executors.newFixedThreadPool(50);
        CountDownLatch go = new CountDownLatch(1);
        try {
            List<Future<HttpResponse<String>>> answers = new ArrayList<>();
            for (int i = 0; i < 50; i++) {
                answers.add(pool.submit(() -> {
                    go.await();
                    return server.post("tiktok", delivery);
                }));
            }
            go.countDown();
            List<String> bodies = new ArrayList<>();
            for (Future<HttpResponse<String>> a : answers) {
                assertThat(a.get().statusCode()).isEqualTo(200);
                bodies.add(a.get().body());
            }
            assertThat(bodies).filteredOn(b -> b.contains("\"queued\"")).hasSize(1);
            assertThat(bodies).filteredOn(b -> b.contains("\"already_processed\"")).hasSize(49);
        } finally {
            pool.shutdownNow();
        }
        assertThat(rows()).isEqualTo(1);
        assertThat(server.processAll()).hasSize(1);
        assertThat(server.processAll()).isEmpty();
    }

    @Test
    void when_the_database_cannot_store_the_answer_is_503_never_200() throws Exception {
        bed.jdbi.useHandle(h -> h.execute("REVOKE INSERT ON cmis_platform.webhook_events FROM cmis_system"));
        HttpResponse<String> refused = server.post("meta", WebhookEmitter.meta(PAGE_COMMENT));
        assertThat(refused.statusCode()).isEqualTo(503);
        assertThat(refused.body()).contains("unavailable").doesNotContain("queued");
        assertThat(rows()).isZero();

        bed.jdbi.useHandle(h -> h.execute("GRANT INSERT ON cmis_platform.webhook_events TO cmis_system"));
        assertThat(server.post("meta", WebhookEmitter.meta(PAGE_COMMENT)).statusCode()).isEqualTo(200);
        assertThat(rows()).isEqualTo(2);
    }

    @Test
    void google_push_messages_are_keyed_by_message_id() throws Exception {
        GoogleSimulator google = bed.sandbox.google();
        assertThat(server.post("google", WebhookEmitter.google(google, "m-1", "{\"a\":1}", bed.clock.instant()))
                .body()).contains("queued");
        // Pub/Sub redelivers the same message id with a fresh token: a duplicate.
        assertThat(server.post("google", WebhookEmitter.google(google, "m-1", "{\"a\":1}", bed.clock.instant()))
                .body()).contains("already_processed");
        List<String> keys = bed.jdbi.withHandle(h -> h.createQuery("SELECT event_key FROM cmis_platform.webhook_events")
                .mapTo(String.class).list());
        assertThat(keys).containsExactly("msg:m-1");
    }

    private int rows() {
        return bed.jdbi.withHandle(h -> h.createQuery("SELECT count(*) FROM cmis_platform.webhook_events")
                .mapTo(Integer.class).one());
    }
}
