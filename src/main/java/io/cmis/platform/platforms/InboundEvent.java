package io.cmis.platform.platforms;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Optional;

/**
 * One event of a verified webhook. {@code eventKey} is what deduplicates it (unique per platform);
 * {@code routingKey} is the platform object that leads to the org (page id, open id, ...);
 * {@code payloadJson} is what is stored, as JSON text. A connector on the hot path writes that text
 * itself (intake measured Jackson's serialisation of a tree per event); others pass the tree.
 */
public record InboundEvent(String eventKey, String eventType, Optional<String> routingKey, String payloadJson) {
    private static final ObjectMapper JSON = new ObjectMapper();

    public InboundEvent(String eventKey, String eventType, Optional<String> routingKey, JsonNode payload) {
        this(eventKey, eventType, routingKey, payload.toString());
    }

    /** The payload as a tree (parsed again: for tests and tools, not for intake). */
    public JsonNode payload() {
        try {
            return JSON.readTree(payloadJson);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
