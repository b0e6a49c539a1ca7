package io.cmis.platform.platforms.x;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cmis.platform.platforms.InboundEvent;
import io.cmis.platform.platforms.MalformedWebhookException;
import io.cmis.platform.platforms.Signatures;
import io.cmis.platform.platforms.WebhookRejectedException;
import io.cmis.platform.platforms.WebhookSupport;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * X's webhooks, of both products on one URL: the X Activity API ({@link XActivityEvents}, a
 * {@code data} object keyed by its {@code event_uuid}) and the deprecated Account Activity API. The
 * CRC GET and every POST of either are checked with the app's consumer secret ({@code sha256=} +
 * base64 HMAC-SHA256); X signs no timestamp, so duplicates are caught by the event key alone: X's
 * own id where the event has one, else a hash of what identifies it. A revoke's {@code date_time}
 * is inside the signed body, so it is the revoke's time: a captured revoke replayed later still
 * says when it happened.
 */
final class XWebhooks implements WebhookSupport {
    static final String SIGNATURE_HEADER = "x-twitter-webhooks-signature";
    static final String REVOKE = "user_event.revoke";
    /** Account Activity's revoke, and the X Activity API's. */
    static final Set<String> REVOCATIONS = Set.of(REVOKE, XActivityEvents.REVOKE);
    private static final String PREFIX = "sha256=";
    private static final Pattern CRC_TOKEN = Pattern.compile("[A-Za-z0-9._~+/=-]{1,256}");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final XSettings settings;

    XWebhooks(XSettings settings) {
        this.settings = settings;
    }

    @Override
    public Set<String> revocations() {
        return REVOCATIONS;
    }

    @Override
    public void verify(Map<String, String> headers, byte[] body) {
        String secret = secret().orElseThrow(() -> new WebhookRejectedException(
                "x.consumer-secret is not set, so X webhooks cannot be verified"));
        String header = headers.get(SIGNATURE_HEADER);
        if (header == null || !header.startsWith(PREFIX)) {
            throw new WebhookRejectedException("missing x-twitter-webhooks-signature");
        }
        byte[] expected = PREFIX.concat(sign(secret, body)).getBytes(StandardCharsets.US_ASCII);
        if (!MessageDigest.isEqual(header.getBytes(StandardCharsets.US_ASCII), expected)) {
            throw new WebhookRejectedException("x-twitter-webhooks-signature does not match the body");
        }
    }

    /** The CRC: {@code {"response_token": "sha256=" + base64(HMAC-SHA256(consumer secret, crc_token))}}. */
    @Override
    public Optional<String> handshake(Map<String, String> query) {
        String token = query.getOrDefault("crc_token", "");
        Optional<String> secret = secret();
        if (secret.isEmpty() || !CRC_TOKEN.matcher(token).matches()) {
            return Optional.empty();
        }
        String answer = PREFIX + sign(secret.get(), token.getBytes(StandardCharsets.UTF_8));
        return Optional.of(JSON.createObjectNode().put("response_token", answer).toString());
    }

    @Override
    public String handshakeContentType() {
        return "application/json";
    }

    @Override
    public List<InboundEvent> events(byte[] body) {
        JsonNode root;
        try {
            root = JSON.readTree(body);
        } catch (IOException e) {
            throw new MalformedWebhookException("an X webhook is a JSON object");
        }
        if (root == null || !root.isObject()) {
            throw new MalformedWebhookException("an X webhook is a JSON object");
        }
        if (XActivityEvents.isActivity(root)) {
            return XActivityEvents.read(root);
        }
        String forUser = root.path("for_user_id").asText("");
        List<InboundEvent> events = new ArrayList<>();
        JsonNode revoke = root.path("user_event").path("revoke");
        if (revoke.isObject()) {
            String user = revoke.path("source").path("user_id").asText(forUser);
            InboundEvent event = new InboundEvent("revoke:" + user + ":" + revoke.path("date_time").asText(""), REVOKE,
                    routing(user), revoke);
            events.add(time(revoke.path("date_time").asText("")).map(event::at).orElse(event));
        }
        for (Iterator<Map.Entry<String, JsonNode>> fields = root.fields(); fields.hasNext(); ) {
            Map.Entry<String, JsonNode> field = fields.next();
            if (field.getKey().endsWith("_events") && field.getValue().isArray()) {
                String type = field.getKey().substring(0, field.getKey().length() - "_events".length());
                if (type.equals("user_event")) {
                    continue; // its items would be typed user_event.<type>, like a revoke: X sends no such array
                }
                for (JsonNode event : field.getValue()) {
                    if (REVOCATIONS.contains(eventType(type, event))) {
                        continue; // an oauth_events item typed revoke: X sends revokes only as themselves
                    }
                    events.add(new InboundEvent(key(type, forUser, event), eventType(type, event), routing(forUser),
                            event));
                }
            }
        }
        if (events.isEmpty()) {
            throw new MalformedWebhookException("an X webhook carries an X Activity data object, a user_event or an *_events array");
        }
        return events;
    }

    /**
     * X's id (favorites, DMs, posts) where there is one; follow, block and mute events have none, so
     * their key is a hash of who received it, the type, both users and the event's time.
     */
    private static String key(String type, String forUser, JsonNode event) {
        String id = event.path("id_str").asText(event.path("id").asText(""));
        if (!id.isEmpty()) {
            return type + ":" + forUser + ":" + id;
        }
        String composite = String.join("|", forUser, type, event.path("type").asText(""),
                event.path("source").path("id").asText(""), event.path("target").path("id").asText(""),
                event.path("created_timestamp").asText(""));
        return type + ":h:" + Signatures.sha256Hex(composite);
    }

    private static String eventType(String type, JsonNode event) {
        String sub = event.path("type").asText("");
        return sub.isEmpty() || sub.equals(type) ? type : type + "." + sub;
    }

    private static Optional<java.time.Instant> time(String dateTime) {
        try {
            return Optional.of(java.time.OffsetDateTime.parse(dateTime).toInstant());
        } catch (java.time.format.DateTimeParseException e) {
            return Optional.empty();
        }
    }

    private static Optional<String> routing(String user) {
        return user.isEmpty() ? Optional.empty() : Optional.of(user);
    }

    private Optional<String> secret() {
        return settings.consumerSecret().map(s -> s.reveal());
    }

    static String sign(String secret, byte[] data) {
        return Base64.getEncoder().encodeToString(Signatures.hmacSha256(secret, data));
    }
}
