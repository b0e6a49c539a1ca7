package io.cmis.platform.platforms.x;

import com.fasterxml.jackson.databind.JsonNode;
import io.cmis.platform.platforms.InboundEvent;
import io.cmis.platform.platforms.MalformedWebhookException;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The X Activity API's deliveries ({@code {"data":{"event_uuid","event_type","filter","payload"}}}),
 * the product X moves Account Activity users to. Each event is keyed by X's {@code event_uuid} (a
 * string, possibly negative), which X says to deduplicate by, and routed to the user its
 * subscription filters on; {@code oauth.revoke} has an empty filter and names the user who revoked
 * in its payload, with its signed {@code date_time}.
 */
final class XActivityEvents {
    static final String REVOKE = "oauth.revoke";
    static final String KEY_PREFIX = "xaa:";
    private static final Pattern UUID = Pattern.compile("-?[A-Za-z0-9_-]{1,128}");
    private static final int MAX_TYPE = 200;
    /** X's legacy date form ({@code Mon Mar 26 16:33:26 +0000 2018}), in case a revoke carries it. */
    private static final DateTimeFormatter LEGACY = DateTimeFormatter.ofPattern("EEE MMM dd HH:mm:ss Z yyyy",
            Locale.ENGLISH);

    private XActivityEvents() {
    }

    /** Whether a verified body is an X Activity delivery rather than an Account Activity one. */
    static boolean isActivity(JsonNode root) {
        return root.has("data");
    }

    /** The events of {@code root.data}: one object, or (should X batch them) an array of them. */
    static List<InboundEvent> read(JsonNode root) {
        JsonNode data = root.get("data");
        List<InboundEvent> events = new ArrayList<>();
        if (data.isObject()) {
            events.add(event(data));
        } else if (data.isArray() && !data.isEmpty()) {
            for (JsonNode item : data) {
                events.add(event(item));
            }
        } else {
            throw malformed("data is an event object");
        }
        return events;
    }

    private static InboundEvent event(JsonNode data) {
        if (!data.isObject()) {
            throw malformed("data is an event object");
        }
        JsonNode uuid = data.path("event_uuid");
        String id = uuid.isTextual() || uuid.isIntegralNumber() ? uuid.asText() : "";
        if (!UUID.matcher(id).matches()) {
            throw malformed("data.event_uuid is X's event id");
        }
        JsonNode typeNode = data.path("event_type");
        String type = typeNode.isTextual() ? typeNode.asText().strip() : "";
        if (type.isEmpty() || type.length() > MAX_TYPE) {
            throw malformed("data.event_type names the event");
        }
        JsonNode filter = data.path("filter");
        JsonNode payload = data.path("payload");
        if (!(filter.isMissingNode() || filter.isNull() || filter.isObject())
                || !(payload.isMissingNode() || payload.isNull() || payload.isObject())) {
            throw malformed("data.filter and data.payload are objects");
        }
        String filterUser = user(filter);
        String payloadUser = user(payload);
        boolean revoke = type.equals(REVOKE);
        // A revoke names who revoked in its payload (its filter is empty); other events belong to the
        // user their subscription filters on.
        String routing = revoke ? first(payloadUser, filterUser) : first(filterUser, payloadUser);
        InboundEvent event = new InboundEvent(KEY_PREFIX + id, type,
                routing.isEmpty() ? Optional.empty() : Optional.of(routing), data);
        if (revoke) {
            return time(payload.path("date_time")).map(event::at).orElse(event);
        }
        return event;
    }

    private static String user(JsonNode node) {
        JsonNode user = node.path("user_id");
        return user.isTextual() || user.isIntegralNumber() ? user.asText().strip() : "";
    }

    private static String first(String a, String b) {
        return a.isEmpty() ? b : a;
    }

    /**
     * The revoke's signed time. X's example form is unpublished for this product, so every reading
     * is taken: ISO-8601 with an offset or {@code Z}, epoch milliseconds or seconds (number or
     * digits), X's legacy date form. None of those: the time received stands in.
     */
    static Optional<Instant> time(JsonNode value) {
        if (value.isIntegralNumber() || (value.isTextual() && value.asText().matches("\\d{9,13}"))) {
            long n = value.asLong();
            return Optional.of(n >= 100_000_000_000L ? Instant.ofEpochMilli(n) : Instant.ofEpochSecond(n));
        }
        String text = value.asText("");
        try {
            return Optional.of(OffsetDateTime.parse(text).toInstant());
        } catch (DateTimeParseException e) {
            // not ISO with an offset; try X's legacy form
        }
        try {
            return Optional.of(ZonedDateTime.parse(text, LEGACY).toInstant());
        } catch (DateTimeParseException e) {
            return Optional.empty();
        }
    }

    private static MalformedWebhookException malformed(String what) {
        return new MalformedWebhookException("an X Activity delivery's " + what);
    }
}
