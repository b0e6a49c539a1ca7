package io.cmis.platform.platforms.tiktok;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cmis.platform.platforms.InboundEvent;
import io.cmis.platform.platforms.MalformedWebhookException;
import io.cmis.platform.platforms.Signatures;
import io.cmis.platform.platforms.WebhookRejectedException;
import io.cmis.platform.platforms.WebhookSupport;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * TikTok webhooks: {@code TikTok-Signature: t=<unix seconds>,s=<hex>} where s is HMAC-SHA256 of
 * {@code t + "." + body}; a {@code t} more than 5 minutes away is refused (replay). TikTok sends
 * no event id, so the key is a hash of the envelope; {@code content} is JSON inside a string.
 * {@code create_time} (inside the signed body; kept across TikTok's retries) is the event's time.
 */
final class TikTokWebhooks implements WebhookSupport {
    static final Duration TOLERANCE = Duration.ofMinutes(5);
    static final String REVOKE = "authorization.removed";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final TikTokSettings settings;
    private final Clock clock;

    TikTokWebhooks(TikTokSettings settings, Clock clock) {
        this.settings = settings;
        this.clock = clock;
    }

    @Override
    public Set<String> revocations() {
        return Set.of(REVOKE);
    }

    @Override
    public void verify(Map<String, String> headers, byte[] body) {
        if (settings.webhookSecret().isBlank()) {
            throw new WebhookRejectedException("tiktok.webhook-secret (or tiktok.secret) is not set");
        }
        String header = headers.get("tiktok-signature");
        if (header == null) {
            throw new WebhookRejectedException("missing TikTok-Signature");
        }
        String t = null;
        String s = null;
        for (String part : header.split(",")) {
            String[] kv = part.trim().split("=", 2);
            if (kv.length == 2 && kv[0].equals("t")) {
                t = kv[1];
            } else if (kv.length == 2 && kv[0].equals("s")) {
                s = kv[1];
            }
        }
        long sent;
        try {
            sent = Long.parseLong(String.valueOf(t));
        } catch (NumberFormatException e) {
            throw new WebhookRejectedException("TikTok-Signature has no valid t=");
        }
        if (s == null || !Signatures.hexEquals(s, Signatures.hmacSha256(settings.webhookSecret(),
                (t + ".").getBytes(StandardCharsets.UTF_8), body))) {
            throw new WebhookRejectedException("TikTok-Signature does not match the body");
        }
        long age = Math.abs(clock.instant().getEpochSecond() - sent);
        if (age > TOLERANCE.toSeconds()) {
            throw new WebhookRejectedException("TikTok-Signature is " + age + "s old (more than 5 minutes): replay refused");
        }
    }

    @Override
    public List<InboundEvent> events(byte[] body) {
        JsonNode envelope;
        try {
            envelope = JSON.readTree(new String(body, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new MalformedWebhookException("the body is not JSON");
        }
        if (envelope == null || !envelope.hasNonNull("event")) {
            throw new MalformedWebhookException("a TikTok webhook has an 'event'");
        }
        ObjectNode payload = envelope.deepCopy();
        JsonNode content = envelope.path("content");
        if (content.isTextual()) {
            try {
                payload.set("content", JSON.readTree(content.asText()));
            } catch (IOException e) {
                throw new MalformedWebhookException("'content' is not JSON");
            }
        }
        String key = "h:" + Signatures.sha256Hex(String.join("\n", envelope.path("client_key").asText(""),
                envelope.path("event").asText(), envelope.path("user_openid").asText(""),
                envelope.path("create_time").asText(""), Signatures.canonical(payload.path("content"))));
        Optional<String> routing = Optional.ofNullable(envelope.path("user_openid").asText(null))
                .or(() -> Optional.ofNullable(envelope.path("advertiser_id").asText(null)));
        InboundEvent event = new InboundEvent(key, envelope.path("event").asText(), routing, payload);
        JsonNode created = envelope.path("create_time");
        return List.of(created.canConvertToLong() && created.asLong() > 0
                ? event.at(java.time.Instant.ofEpochSecond(created.asLong())) : event);
    }
}
