package io.cmis.platform.platforms.linkedin;

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
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * LinkedIn webhooks: the validation GET ({@code challengeCode}, answered with its HMAC), and signed
 * POSTs of Page social actions (batched, each with its {@code notificationId}) and of leads.
 */
final class LinkedInWebhooks implements WebhookSupport {
    static final String SIGNATURE_HEADER = "x-li-signature";
    static final String PREFIX = "hmacsha256=";
    static final int MAX_NOTIFICATIONS = 1000;
    /**
     * LinkedIn's challenge is a UUID. Nothing else is answered: the answer is an HMAC under the key
     * that also signs notifications, so answering any text would sign a forged body for whoever asks.
     */
    private static final Pattern CHALLENGE = Pattern.compile("[0-9a-fA-F]{8}(-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12}");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final LinkedInSettings settings;

    LinkedInWebhooks(LinkedInSettings settings) {
        this.settings = settings;
    }

    /**
     * {@code X-LI-Signature} over the raw body with the client secret. LinkedIn's words ("the
     * HMAC-SHA256 of the body, prefixed by hmacsha256=") allow two readings and live traffic has not
     * settled which: a bare hex HMAC of {@code "hmacsha256=" + body}, or {@code "hmacsha256="} followed
     * by the hex HMAC of the body. Exactly those two are accepted; both need the secret.
     */
    @Override
    public void verify(Map<String, String> headers, byte[] body) {
        if (settings.clientSecret().isBlank()) {
            throw new WebhookRejectedException("linkedin.client-secret is not set, so LinkedIn webhooks cannot be verified");
        }
        String header = headers.get(SIGNATURE_HEADER);
        if (header == null || header.isBlank()) {
            throw new WebhookRejectedException("missing X-LI-Signature");
        }
        byte[] prefix = PREFIX.getBytes(StandardCharsets.US_ASCII);
        boolean valid = header.startsWith(PREFIX)
                ? Signatures.hexEquals(header.substring(PREFIX.length()), Signatures.hmacSha256(settings.clientSecret(), body))
                : Signatures.hexEquals(header, Signatures.hmacSha256(settings.clientSecret(), prefix, body));
        if (!valid) {
            throw new WebhookRejectedException("X-LI-Signature does not match the body");
        }
    }

    /** The validation GET: {@code {"challengeCode": c, "challengeResponse": hex HMAC-SHA256(secret, c)}}. */
    @Override
    public Optional<String> handshake(Map<String, String> query) {
        String challenge = query.getOrDefault("challengeCode", "");
        if (settings.clientSecret().isBlank() || !CHALLENGE.matcher(challenge).matches()) {
            return Optional.empty();
        }
        String response = HexFormat.of().formatHex(Signatures.hmacSha256(settings.clientSecret(),
                challenge.getBytes(StandardCharsets.UTF_8)));
        return Optional.of(JSON.createObjectNode().put("challengeCode", challenge).put("challengeResponse", response)
                .toString());
    }

    @Override
    public String handshakeContentType() {
        return "application/json";
    }

    @Override
    public List<InboundEvent> events(byte[] body) {
        JsonNode root = parse(body);
        if (root.path("notifications").isArray()) {
            return socialActions(root);
        }
        if (root.hasNonNull("leadGenFormResponse")) {
            return List.of(lead(root));
        }
        throw new MalformedWebhookException("a LinkedIn webhook has a 'notifications' array or a 'leadGenFormResponse'");
    }

    /** One event per notification, keyed by LinkedIn's own {@code notificationId}, routed by the Page. */
    private static List<InboundEvent> socialActions(JsonNode root) {
        JsonNode notifications = root.path("notifications");
        if (notifications.size() > MAX_NOTIFICATIONS) {
            throw new MalformedWebhookException("more than " + MAX_NOTIFICATIONS + " notifications in one delivery");
        }
        String type = root.path("type").asText("ORGANIZATION_SOCIAL_ACTION_NOTIFICATIONS");
        List<InboundEvent> events = new ArrayList<>();
        for (JsonNode n : notifications) {
            String id = n.path("notificationId").asText("");
            // No id (not seen, but the field list is open): the content itself is the key.
            String key = id.isEmpty() ? "h:" + Signatures.sha256Hex(Signatures.canonical(n)) : "notification:" + id;
            String action = n.path("action").asText("unknown");
            ObjectNode payload = JSON.createObjectNode().put("type", type);
            payload.set("notification", n);
            events.add(new InboundEvent(key, (type + "." + action).toLowerCase(Locale.ROOT),
                    Optional.ofNullable(n.path("organizationalEntity").asText(null)), payload));
        }
        return events;
    }

    /**
     * A lead has no notification id; its form response, action and time are taken as its key (the
     * key LinkedIn's own guidance implies; a redelivery with another time would be stored twice).
     */
    private static InboundEvent lead(JsonNode root) {
        String key = "lead:" + root.path("leadGenFormResponse").asText() + ":" + root.path("leadAction").asText("")
                + ":" + root.path("occurredAt").asText("");
        JsonNode owner = root.path("owner");
        Optional<String> routing = Optional.ofNullable(owner.path("sponsoredAccount").asText(null))
                .or(() -> Optional.ofNullable(owner.path("organization").asText(null)));
        return new InboundEvent(key, ("lead_action." + root.path("leadAction").asText("unknown"))
                .toLowerCase(Locale.ROOT), routing, root);
    }

    private static JsonNode parse(byte[] body) {
        try {
            JsonNode node = JSON.readTree(body);
            if (node == null || !node.isObject()) {
                throw new MalformedWebhookException("the body is not a JSON object");
            }
            return node;
        } catch (IOException e) {
            throw new MalformedWebhookException("the body is not JSON");
        }
    }
}
