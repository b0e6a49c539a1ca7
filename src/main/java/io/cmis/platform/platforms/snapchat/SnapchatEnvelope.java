package io.cmis.platform.platforms.snapchat;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Reading Snapchat's envelope: {@code request_status}, plural arrays whose items wrap the entity in
 * its singular name with a {@code sub_request_status}, and {@code paging.next_link}. Statuses are
 * compared without case (the official samples write both {@code SUCCESS} and {@code success}), and
 * bare items (no wrapper, no status) are read as well.
 */
final class SnapchatEnvelope {
    /** One item of a plural array: the entity, and why it failed when its sub_request_status says so. */
    record Item(JsonNode entity, Optional<String> failure) {
        boolean ok() {
            return failure.isEmpty();
        }

        /** The entity's id, or its position when a failed item carries none. */
        String name(int position) {
            return entity.path("id").asText("#" + position);
        }
    }

    private SnapchatEnvelope() {
    }

    /** A missing status means success: bare items, and answers that do not carry one, have none. */
    static boolean succeeded(JsonNode status) {
        return status.isMissingNode() || status.isNull() || "success".equals(status.asText().toLowerCase(Locale.ROOT));
    }

    static List<Item> items(JsonNode body, String plural, String singular) {
        List<Item> items = new ArrayList<>();
        body.path(plural).forEach(element -> items.add(item(element, singular)));
        return items;
    }

    static Item item(JsonNode element, String singular) {
        JsonNode wrapped = element.path(singular);
        JsonNode entity = wrapped.isObject() ? wrapped : element;
        JsonNode status = element.path("sub_request_status");
        if (!succeeded(status)) {
            return new Item(entity, Optional.of(status.asText() + reason(element)));
        }
        if (!entity.hasNonNull("id")) {
            return new Item(entity, Optional.of("an item without an id"));
        }
        return new Item(entity, Optional.empty());
    }

    private static String reason(JsonNode element) {
        String why = firstText(element, "sub_request_error_reason", "error_code", "debug_message");
        return why.isEmpty() ? "" : ": " + why;
    }

    /** The user of {@code /v1/me}: inside {@code "me"} as documented, or the body itself. */
    static JsonNode me(JsonNode body) {
        return body.path("me").isObject() ? body.path("me") : body;
    }

    static Optional<String> nextLink(JsonNode body) {
        String link = body.path("paging").path("next_link").asText("").trim();
        return link.isEmpty() ? Optional.empty() : Optional.of(link);
    }

    /** The first of these fields that has text, or "". */
    static String firstText(JsonNode node, String... fields) {
        for (String field : fields) {
            String text = node.path(field).asText("").trim();
            if (!text.isEmpty()) {
                return text;
            }
        }
        return "";
    }
}
