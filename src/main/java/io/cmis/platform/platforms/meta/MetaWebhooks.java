package io.cmis.platform.platforms.meta;

import com.fasterxml.jackson.core.io.CharTypes;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
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
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Meta webhooks: {@code X-Hub-Signature-256} (HMAC-SHA256 of the raw body with the app secret),
 * the GET handshake, and one event per change of a batch. Meta sends no event id, and
 * {@code entry.time} is when Meta sent the notification (it may differ between retries), so it is
 * never part of a key. A Deauthorize Callback revokes; its signed {@code issued_at} is its time.
 */
final class MetaWebhooks implements WebhookSupport {
    static final int MAX_CHANGES = 1000;
    static final String DEAUTHORIZE = "meta.deauthorize";
    /**
     * How old a Deauthorize Callback's signed {@code issued_at} may be. Meta calls it when the user
     * removes the app; an older one is a replay (its dedupe record may be pruned by then, after
     * {@code webhooks.retention}), refused before anything is stored.
     */
    static final Duration DEAUTHORIZE_WINDOW = Duration.ofHours(24);
    static final Duration SKEW = Duration.ofMinutes(5);
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Built once: {@code ObjectMapper.readTree} resolves the target type on every call. */
    private static final ObjectReader TREE = JSON.readerFor(JsonNode.class);

    private final MetaSettings settings;
    private final Clock clock;

    MetaWebhooks(MetaSettings settings, Clock clock) {
        this.settings = settings;
        this.clock = clock;
    }

    @Override
    public Set<String> revocations() {
        return Set.of(DEAUTHORIZE);
    }

    @Override
    public void verify(Map<String, String> headers, byte[] body) {
        if (settings.clientSecret().isBlank()) {
            throw new WebhookRejectedException("meta.client-secret is not set, so Meta webhooks cannot be verified");
        }
        if (isDeauthorization(body)) {
            checkIssuedAt(signedRequestPayload(body));
            return;
        }
        String header = headers.get("x-hub-signature-256");
        if (header == null || !header.startsWith("sha256=")) {
            throw new WebhookRejectedException("missing X-Hub-Signature-256");
        }
        if (!Signatures.hexEquals(header.substring(7), Signatures.hmacSha256(settings.clientSecret(), body))) {
            throw new WebhookRejectedException("X-Hub-Signature-256 does not match the body");
        }
    }

    @Override
    public Optional<String> handshake(Map<String, String> query) {
        String token = query.getOrDefault("hub.verify_token", "");
        if ("subscribe".equals(query.get("hub.mode")) && !settings.verifyToken().isEmpty()
                && Signatures.constantTimeEquals(token, settings.verifyToken()) && query.containsKey("hub.challenge")) {
            return Optional.of(query.get("hub.challenge"));
        }
        return Optional.empty();
    }

    @Override
    public List<InboundEvent> events(byte[] body) {
        if (isDeauthorization(body)) {
            return List.of(deauthorization(body));
        }
        JsonNode root = parse(body);
        String object = root.path("object").asText("");
        JsonNode entries = root.path("entry");
        if (object.isEmpty() || !entries.isArray()) {
            throw new MalformedWebhookException("a Meta webhook has 'object' and an 'entry' array");
        }
        List<InboundEvent> events = new ArrayList<>();
        for (JsonNode entry : entries) {
            String entryId = entry.path("id").asText("");
            for (JsonNode change : entry.path("changes")) {
                events.add(change(object, entryId, change));
            }
            for (JsonNode message : entry.path("messaging")) {
                events.add(messaging(object, entryId, message));
            }
        }
        if (events.size() > MAX_CHANGES) {
            throw new MalformedWebhookException("more than " + MAX_CHANGES + " changes in one delivery");
        }
        return events;
    }

    /**
     * A change is keyed by its own ids where it has them (comment, post, lead) plus a short hash of
     * its value, so a retry of the same change matches and a later edit of the same comment does not.
     */
    private static InboundEvent change(String object, String entryId, JsonNode change) {
        String field = change.path("field").asText("");
        JsonNode value = change.path("value");
        String valueHash = Signatures.sha256Hex(Signatures.canonical(value));
        String key;
        if (value.hasNonNull("comment_id")) {
            key = "comment:" + value.path("comment_id").asText() + ":" + value.path("verb").asText("") + ":"
                    + valueHash.substring(0, 16);
        } else if (value.hasNonNull("leadgen_id")) {
            key = "leadgen:" + value.path("leadgen_id").asText();
        } else if (value.hasNonNull("post_id")) {
            key = "post:" + value.path("post_id").asText() + ":" + value.path("verb").asText("") + ":"
                    + valueHash.substring(0, 16);
        } else {
            key = "h:" + Signatures.sha256Hex(object + "\n" + entryId + "\n" + field + "\n" + Signatures.canonical(value));
        }
        return new InboundEvent(key, object + "." + field, Optional.of(entryId).filter(s -> !s.isEmpty()),
                payload(object, entryId, change));
    }

    private static InboundEvent messaging(String object, String entryId, JsonNode message) {
        String mid = message.path("message").path("mid").asText("");
        String key = mid.isEmpty()
                ? "h:" + Signatures.sha256Hex(object + "\n" + entryId + "\nmessaging\n" + Signatures.canonical(message))
                : "mid:" + mid;
        return new InboundEvent(key, object + ".messaging", Optional.of(entryId).filter(s -> !s.isEmpty()),
                payload(object, entryId, message));
    }

    /**
     * The Deauthorize Callback: when a user removes the app, Meta POSTs a form with
     * {@code signed_request=<base64url HMAC-SHA256>.<base64url JSON>}, signed with the app secret.
     */
    private static boolean isDeauthorization(byte[] body) {
        return body.length > 15 && new String(body, 0, 15, StandardCharsets.US_ASCII).equals("signed_request=");
    }

    private JsonNode signedRequestPayload(byte[] body) {
        String value = java.net.URLDecoder.decode(new String(body, StandardCharsets.US_ASCII).substring(15),
                StandardCharsets.US_ASCII);
        int dot = value.indexOf('.');
        if (dot < 1) {
            throw new WebhookRejectedException("signed_request is not <signature>.<payload>");
        }
        byte[] expected = Signatures.hmacSha256(settings.clientSecret(),
                value.substring(dot + 1).getBytes(StandardCharsets.US_ASCII));
        byte[] given;
        try {
            given = java.util.Base64.getUrlDecoder().decode(value.substring(0, dot));
        } catch (IllegalArgumentException e) {
            throw new WebhookRejectedException("the signed_request signature is not base64url");
        }
        if (!java.security.MessageDigest.isEqual(given, expected)) {
            throw new WebhookRejectedException("the signed_request signature does not match");
        }
        try {
            return JSON.readTree(java.util.Base64.getUrlDecoder().decode(value.substring(dot + 1)));
        } catch (IOException | IllegalArgumentException e) {
            throw new MalformedWebhookException("the signed_request payload is not base64url JSON");
        }
    }

    private void checkIssuedAt(JsonNode payload) {
        JsonNode issued = payload.path("issued_at");
        if (!issued.canConvertToLong() || issued.asLong() <= 0) {
            throw new WebhookRejectedException("the signed_request has no issued_at");
        }
        Instant at = Instant.ofEpochSecond(issued.asLong());
        Instant now = clock.instant();
        if (at.isBefore(now.minus(DEAUTHORIZE_WINDOW)) || at.isAfter(now.plus(SKEW))) {
            throw new WebhookRejectedException("the signed_request was issued at " + at + ", outside "
                    + DEAUTHORIZE_WINDOW.toHours() + " hours of now: replay refused");
        }
    }

    private InboundEvent deauthorization(byte[] body) {
        JsonNode payload = signedRequestPayload(body);
        String user = payload.path("user_id").asText("");
        if (user.isEmpty()) {
            throw new MalformedWebhookException("the signed_request has no user_id");
        }
        ObjectNode node = JSON.createObjectNode().put("object", "user").put("entry_id", user);
        node.set("change", JSON.createObjectNode().put("field", "deauthorize").put("user_id", user)
                .put("issued_at", payload.path("issued_at").asLong()));
        return new InboundEvent("deauth:" + user + ":" + payload.path("issued_at").asLong(), DEAUTHORIZE,
                Optional.of(user), node).at(Instant.ofEpochSecond(payload.path("issued_at").asLong()));
    }

    /**
     * {@code {"object":…,"entry_id":…,"change":…}} written as text in one pass (stored as jsonb, so key
     * order does not matter): building a tree and serialising it with Jackson cost intake more.
     */
    private static String payload(String object, String entryId, JsonNode item) {
        StringBuilder out = new StringBuilder(256).append("{\"object\":\"");
        CharTypes.appendQuoted(out, object);
        out.append("\",\"entry_id\":\"");
        CharTypes.appendQuoted(out, entryId);
        out.append("\",\"change\":");
        Signatures.writeCanonical(item, out);
        return out.append('}').toString();
    }

    private static JsonNode parse(byte[] body) {
        try {
            JsonNode node = TREE.readTree(body);
            if (node == null || !node.isObject()) {
                throw new MalformedWebhookException("the body is not a JSON object");
            }
            return node;
        } catch (IOException e) {
            throw new MalformedWebhookException("the body is not JSON");
        }
    }
}
