package io.cmis.platform.webhooks;

import io.cmis.platform.sandbox.LinkedInSimulator;
import io.cmis.platform.sandbox.LinkedInWebhookValidator;
import io.cmis.platform.sandbox.WebhookEmitter;
import io.cmis.platform.support.PlatformTestBed;
import io.cmis.platform.support.WebhookServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * LinkedIn's webhooks against serve over real HTTP: the validation GET (and LinkedIn's re-validation
 * every 2 hours), signed notifications stored once, refused ones not at all.
 */
class LinkedInWebhookIntakeTest {
    private static final String PAGE = "urn:li:organization:5550001";

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
    void the_challenge_is_answered_as_json_within_the_deadline() throws Exception {
        long start = System.nanoTime();
        HttpResponse<String> answer = server.get("/webhooks/linkedin?challengeCode=" + UUID.randomUUID());
        Duration took = Duration.ofNanos(System.nanoTime() - start);

        assertThat(answer.statusCode()).isEqualTo(200);
        assertThat(answer.headers().firstValue("content-type").orElse("")).startsWith("application/json");
        assertThat(answer.body()).contains("\"challengeResponse\"");
        assertThat(took).isLessThan(LinkedInWebhookValidator.DEADLINE);
        assertThat(server.get("/webhooks/linkedin?challengeCode=not-a-uuid").statusCode()).isEqualTo(403);
    }

    @Test
    void linkedin_revalidates_every_two_hours_and_the_endpoint_keeps_passing() {
        LinkedInWebhookValidator linkedin = bed.sandbox.linkedin().webhooks();
        assertThat(linkedin.register(server.uri("/webhooks/linkedin"))).isTrue();

        for (int round = 0; round < 12; round++) { // a day
            bed.clock.advance(LinkedInWebhookValidator.INTERVAL);
            assertThat(linkedin.revalidateIfDue()).as("round " + round).isTrue();
        }
        assertThat(linkedin.validations()).isEqualTo(13);
        assertThat(linkedin.blocked()).isFalse();
    }

    @Test
    void an_endpoint_that_fails_three_validations_in_a_row_is_blocked() {
        LinkedInWebhookValidator linkedin = bed.sandbox.linkedin().webhooks();
        assertThat(linkedin.register(server.uri("/webhooks/meta"))).as("Meta's route cannot answer it").isFalse();
        for (int round = 0; round < 2; round++) {
            bed.clock.advance(LinkedInWebhookValidator.INTERVAL);
            linkedin.revalidateIfDue();
        }
        assertThat(linkedin.blocked()).isTrue();
        assertThat(linkedin.failuresInARow()).isEqualTo(LinkedInWebhookValidator.FAILURES_TO_BLOCK);
    }

    @Test
    void both_signature_readings_are_stored_and_a_bad_or_missing_signature_stores_nothing() throws Exception {
        String body = LinkedInSimulator.socialActions(PAGE, 11L, 12L);
        WebhookEmitter.Delivery signed = WebhookEmitter.linkedin(body);

        assertThat(server.post("linkedin", signed.missigned()).statusCode()).isEqualTo(401);
        assertThat(server.post("linkedin", new WebhookEmitter.Delivery(Map.of("content-type", "application/json"),
                body)).statusCode()).isEqualTo(401);
        assertThat(rows()).isZero();

        assertThat(server.post("linkedin", signed).statusCode()).isEqualTo(200);
        String other = LinkedInSimulator.socialActions(PAGE, 13L);
        assertThat(server.post("linkedin", new WebhookEmitter.Delivery(
                LinkedInSimulator.prefixedSignatureHeaders(other), other)).statusCode()).isEqualTo(200);
        assertThat(rows()).isEqualTo(3);
    }

    @Test
    void a_notification_delivered_again_is_stored_once() throws Exception {
        WebhookEmitter.Delivery first = WebhookEmitter.linkedin(LinkedInSimulator.socialActions(PAGE, 21L, 22L));
        assertThat(server.post("linkedin", first).statusCode()).isEqualTo(200);
        HttpResponse<String> again = server.post("linkedin", first);
        assertThat(again.statusCode()).isEqualTo(200);
        assertThat(again.body()).contains("already_processed");
        assertThat(server.post("linkedin", WebhookEmitter.linkedin(LinkedInSimulator.socialActions(PAGE, 22L, 23L)))
                .statusCode()).as("one old, one new").isEqualTo(200);

        assertThat(rows()).isEqualTo(3);
    }

    private int rows() {
        return bed.jdbi.withHandle(h -> h.createQuery(
                "SELECT count(*) FROM cmis_platform.webhook_events WHERE platform = 'linkedin'").mapTo(Integer.class).one());
    }
}
