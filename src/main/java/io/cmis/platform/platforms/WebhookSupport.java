package io.cmis.platform.platforms;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/** A platform's inbound webhooks: verification on the raw bytes, then events with their keys. */
public interface WebhookSupport {
    /**
     * Checks the signature or token before anything is parsed. Header names are lower-case.
     * Throws {@link WebhookRejectedException} when it does not check out.
     */
    void verify(Map<String, String> headers, byte[] body);

    /** The events of a verified body; {@link MalformedWebhookException} when it is not the platform's shape. */
    List<InboundEvent> events(byte[] body);

    /** Answers a subscription handshake (Meta's GET with {@code hub.challenge}); empty means refuse. */
    default Optional<String> handshake(Map<String, String> query) {
        return Optional.empty();
    }
}
