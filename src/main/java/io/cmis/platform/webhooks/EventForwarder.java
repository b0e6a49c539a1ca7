package io.cmis.platform.webhooks;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;

/**
 * Delivers processed events to {@code webhooks.forward-url}, signed the Standard Webhooks way:
 * {@code webhook-id} (the event id, stable across retries so the receiver can dedupe),
 * {@code webhook-timestamp} (unix seconds) and {@code webhook-signature: v1,<base64 HMAC-SHA256 of
 * id.timestamp.body>}. A secret written {@code whsec_<base64>} is used as those bytes, as the
 * Standard Webhooks libraries do; any other secret as its UTF-8 bytes.
 */
final class EventForwarder {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final URI target;
    private final byte[] key;
    private final Clock clock;
    private final HttpClient client;

    EventForwarder(URI target, String secret, Clock clock) {
        this.target = target;
        this.key = secret.startsWith("whsec_") ? Base64.getDecoder().decode(secret.substring(6))
                : secret.getBytes(StandardCharsets.UTF_8);
        this.clock = clock;
        this.client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    }

    /** Throws {@link ProcessingException}: transient for network errors, 5xx, 408 and 429; permanent for other 4xx. */
    void forward(StoredEvent event, String effect) {
        String body = body(event, effect);
        String id = event.id().toString();
        String timestamp = Long.toString(clock.instant().getEpochSecond());
        HttpRequest request = HttpRequest.newBuilder(target)
                .timeout(Duration.ofSeconds(10))
                .header("content-type", "application/json")
                .header("webhook-id", id)
                .header("webhook-timestamp", timestamp)
                .header("webhook-signature", "v1," + sign(id + "." + timestamp + "." + body))
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build();
        int status;
        try {
            status = client.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            throw new ProcessingException(true, "forwarding failed: " + e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : ": " + e.getMessage()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ProcessingException(true, "forwarding interrupted");
        }
        if (status >= 200 && status < 300) {
            return;
        }
        boolean transientStatus = status >= 500 || status == 408 || status == 429;
        throw new ProcessingException(transientStatus, "the forward URL answered HTTP " + status);
    }

    String sign(String content) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return Base64.getEncoder().encodeToString(mac.doFinal(content.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is missing from this JVM", e);
        }
    }

    /** The normalized event as receivers get it. */
    static String body(StoredEvent event, String effect) {
        ObjectNode node = JSON.createObjectNode()
                .put("id", event.id().toString())
                .put("platform", event.platform())
                .put("type", event.eventType())
                .put("org_id", event.orgId() == null ? null : event.orgId().toString())
                .put("integration_id", event.integrationId() == null ? null : event.integrationId().toString())
                .put("received_at", event.receivedAt().toString())
                .put("effect", effect);
        try {
            node.set("payload", JSON.readTree(event.payload()));
        } catch (IOException e) {
            throw new ProcessingException(false, "the stored payload is not JSON");
        }
        return node.toString();
    }
}
