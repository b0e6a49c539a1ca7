package io.cmis.platform.webhooks;

import com.fasterxml.jackson.databind.JsonNode;
import io.cmis.platform.cli.Json;
import io.cmis.platform.platforms.Signatures;
import io.cmis.platform.sandbox.WebhookEmitter;
import io.cmis.platform.sandbox.XSimulator;
import io.cmis.platform.support.OAuthUser;
import io.cmis.platform.support.SandboxCliTest;
import io.cmis.platform.support.WebhookServer;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * X's webhooks through serve, of both products on one URL (the X Activity API and the deprecated
 * Account Activity API): the CRC, signatures, duplicates and a revoke.
 */
class XWebhookIntakeTest extends SandboxCliTest {
    private static final String FOLLOW = """
            {"for_user_id":"6253282","follow_events":[{"type":"follow","created_timestamp":"1517588749178",
             "target":{"id":"3001"},"source":{"id":"6253282"}}]}""";

    @Test
    void the_crc_is_answered_with_the_consumer_secrets_hmac() throws Exception {
        try (WebhookServer server = new WebhookServer(bed)) {
            HttpResponse<String> crc = server.get("/webhooks/x?crc_token=abc123");

            assertThat(crc.statusCode()).isEqualTo(200);
            assertThat(crc.headers().firstValue("content-type").orElse("")).startsWith("application/json");
            String expected = "sha256=" + Base64.getEncoder().encodeToString(Signatures.hmacSha256(
                    XSimulator.CONSUMER_SECRET, "abc123".getBytes(StandardCharsets.UTF_8)));
            assertThat(Json.MAPPER.readTree(crc.body()).get("response_token").asText()).isEqualTo(expected);
        }
    }

    @Test
    void a_wrong_signature_is_refused_with_nothing_stored_and_a_duplicate_is_stored_once() throws Exception {
        try (WebhookServer server = new WebhookServer(bed)) {
            assertThat(server.post("x", WebhookEmitter.x(FOLLOW).missigned()).statusCode()).isEqualTo(401);
            assertThat(events()).isZero();

            assertThat(server.post("x", WebhookEmitter.x(FOLLOW)).statusCode()).isEqualTo(200);
            HttpResponse<String> again = server.post("x", WebhookEmitter.x(FOLLOW));
            assertThat(again.body()).contains("already_processed");
            assertThat(events()).isEqualTo(1);
        }
    }

    @Test
    void a_user_event_revoke_revokes_the_connected_account() throws Exception {
        JsonNode integration = OAuthUser.connect(cli, org, "x");
        try (WebhookServer server = new WebhookServer(bed)) {
            String revoke = """
                    {"user_event":{"revoke":{"date_time":"2026-11-25T12:00:00+00:00","target":{"app_id":"1"},
                     "source":{"user_id":"6253282"}}}}""";
            assertThat(server.post("x", WebhookEmitter.x(revoke)).statusCode()).isEqualTo(200);
            server.processAll();

            JsonNode shown = Json.MAPPER.readTree(cli.run("--json", "integrations", "show",
                    integration.get("id").asText()).ok().stdout());
            assertThat(shown.get("status").asText()).isEqualTo("revoked");
        }
    }

    @Test
    void a_signed_x_activity_post_create_is_stored_once_across_two_deliveries_and_routed_to_the_account()
            throws Exception {
        OAuthUser.connect(cli, org, "x");
        try (WebhookServer server = new WebhookServer(bed)) {
            WebhookEmitter.Delivery post = WebhookEmitter.xActivityPost("-7953119945885597316", XSimulator.USER_ID,
                    "1790000000000000001");
            HttpResponse<String> first = server.post("x", post);
            assertThat(first.statusCode()).as(first.body()).isEqualTo(200);
            assertThat(first.body()).contains("queued");
            HttpResponse<String> again = server.post("x", post);
            assertThat(again.statusCode()).isEqualTo(200);
            assertThat(again.body()).contains("already_processed");
            assertThat(events()).isEqualTo(1);
            String row = bed.jdbi.withHandle(h -> h.createQuery(
                    "SELECT event_key || ' ' || event_type || ' ' || routing_key FROM cmis_platform.webhook_events")
                    .mapTo(String.class).one());
            assertThat(row).isEqualTo("xaa:-7953119945885597316 post.create " + XSimulator.USER_ID);

            assertThat(server.processAll()).singleElement().satisfies(o -> {
                assertThat(o.outcome()).isEqualTo("processed");
                assertThat(o.detail()).isEqualTo("stored");
            });
        }
    }

    @Test
    void an_x_activity_oauth_revoke_revokes_the_connected_account() throws Exception {
        JsonNode integration = OAuthUser.connect(cli, org, "x");
        try (WebhookServer server = new WebhookServer(bed)) {
            bed.clock.advance(java.time.Duration.ofMinutes(1));
            HttpResponse<String> answer = server.post("x", WebhookEmitter.xActivityRevoke("2080761390344937796",
                    XSimulator.USER_ID, bed.clock.instant()));
            assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
            assertThat(server.processAll()).singleElement().extracting(EventOutcome::detail)
                    .isEqualTo("revoked integration " + integration.get("id").asText());

            JsonNode shown = Json.MAPPER.readTree(cli.run("--json", "integrations", "show",
                    integration.get("id").asText()).ok().stdout());
            assertThat(shown.get("status").asText()).isEqualTo("revoked");
        }
    }

    /** Refused before parsing, whichever product the body claims to be; the same delivery signed is stored. */
    @Test
    void an_unsigned_or_badly_signed_x_activity_delivery_is_refused_with_nothing_stored() throws Exception {
        OAuthUser.connect(cli, org, "x");
        try (WebhookServer server = new WebhookServer(bed)) {
            WebhookEmitter.Delivery revoke = WebhookEmitter.xActivityRevoke("2080761390344937796",
                    XSimulator.USER_ID, bed.clock.instant());
            assertThat(server.post("x", revoke.missigned()).statusCode()).isEqualTo(401);
            assertThat(server.post("x", new WebhookEmitter.Delivery(
                    java.util.Map.of("content-type", "application/json"), revoke.body())).statusCode()).isEqualTo(401);
            WebhookEmitter.Delivery otherSecret = new WebhookEmitter.Delivery(java.util.Map.of(
                    "content-type", "application/json", "x-twitter-webhooks-signature", "sha256="
                            + Base64.getEncoder().encodeToString(Signatures.hmacSha256("another-apps-secret",
                            revoke.body().getBytes(StandardCharsets.UTF_8)))), revoke.body());
            assertThat(server.post("x", otherSecret).statusCode()).isEqualTo(401);
            assertThat(events()).isZero();
            assertThat(server.processAll()).isEmpty();

            assertThat(server.post("x", revoke).statusCode()).isEqualTo(200);
            assertThat(events()).isEqualTo(1);
        }
    }

    @Test
    void a_malformed_x_activity_body_is_400_naming_what_is_missing_with_nothing_stored() throws Exception {
        try (WebhookServer server = new WebhookServer(bed)) {
            HttpResponse<String> noUuid = server.post("x", WebhookEmitter.x(
                    "{\"data\":{\"event_type\":\"post.create\",\"filter\":{\"user_id\":\"6253282\"},\"payload\":{}}}"));
            assertThat(noUuid.statusCode()).isEqualTo(400);
            assertThat(noUuid.body()).contains("event_uuid");
            HttpResponse<String> noType = server.post("x", WebhookEmitter.x(
                    "{\"data\":{\"event_uuid\":\"2080761390344937796\",\"filter\":{},\"payload\":{}}}"));
            assertThat(noType.statusCode()).isEqualTo(400);
            assertThat(noType.body()).contains("event_type");
            assertThat(server.post("x", WebhookEmitter.x("{\"data\":42}")).statusCode()).isEqualTo(400);
            assertThat(events()).isZero();
        }
    }

    private long events() {
        return bed.jdbi.withHandle(h -> h.createQuery("SELECT count(*) FROM cmis_platform.webhook_events")
                .mapTo(Long.class).one());
    }
}
