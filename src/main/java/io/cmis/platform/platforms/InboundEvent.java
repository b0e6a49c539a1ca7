package io.cmis.platform.platforms;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.Optional;

/**
 * One event of a verified webhook. {@code eventKey} is what deduplicates it (unique per platform);
 * {@code routingKey} is the platform object that leads to the org (page id, open id, ...);
 * {@code payloadJson} is what is stored, as JSON text. A connector on the hot path writes that text
 * itself (intake measured Jackson's serialisation of a tree per event); others pass the tree.
 * {@code occurredAt} is when the event happened by a time the platform signed (inside the signed
 * body or token); empty where it signs none, and then the time it was received stands in.
 */
public record InboundEvent(String eventKey, String eventType, Optional<String> routingKey, String payloadJson,
                           Optional<Instant> occurredAt) {
    private static final ObjectMapper JSON = new ObjectMapper();

    public InboundEvent(String eventKey, String eventType, Optional<String> routingKey, String payloadJson) {
        this(eventKey, eventType, routingKey, payloadJson, Optional.empty());
    }

    public InboundEvent(String eventKey, String eventType, Optional<String> routingKey, JsonNode payload) {
        this(eventKey, eventType, routingKey, payload.toString(), Optional.empty());
    }

    /** The same event, happened at {@code signedTime} by the platform's signed word. */
    public InboundEvent at(Instant signedTime) {
        return new InboundEvent(eventKey, eventType, routingKey, payloadJson, Optional.of(signedTime));
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
