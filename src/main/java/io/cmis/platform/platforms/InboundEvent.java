package io.cmis.platform.platforms;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.Optional;

/**
 * One event of a verified webhook. {@code eventKey} is what deduplicates it (unique per platform);
 * {@code routingKey} is the platform object that leads to the org (page id, open id, ...).
 */
public record InboundEvent(String eventKey, String eventType, Optional<String> routingKey, JsonNode payload) {
}
