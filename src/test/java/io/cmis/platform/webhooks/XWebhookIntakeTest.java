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

/** X's Account Activity webhooks through serve: the CRC, signatures, duplicates and a revoke. */
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

    private long events() {
        return bed.jdbi.withHandle(h -> h.createQuery("SELECT count(*) FROM cmis_platform.webhook_events")
                .mapTo(Long.class).one());
    }
}
