package io.cmis.platform.platforms;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A platform's inbound webhooks: verification on the raw bytes, then events with their keys.
 * A platform that pushes nothing answers {@link #none}.
 */
public interface WebhookSupport {
    /**
     * For a platform without webhooks (Snapchat's Marketing API documents none): every delivery is
     * refused at verification, so nothing posted to its route is ever stored.
     */
    static WebhookSupport none(String platform) {
        return new WebhookSupport() {
            @Override
            public void verify(Map<String, String> headers, byte[] body) {
                throw new WebhookRejectedException(platform + " sends no webhooks");
            }

            @Override
            public List<InboundEvent> events(byte[] body) {
                throw new MalformedWebhookException(platform + " sends no webhooks");
            }
        };
    }

    /**
     * Checks the signature or token before anything is parsed. Header names are lower-case.
     * Throws {@link WebhookRejectedException} when it does not check out.
     */
    void verify(Map<String, String> headers, byte[] body);

    /** The events of a verified body; {@link MalformedWebhookException} when it is not the platform's shape. */
    List<InboundEvent> events(byte[] body);

    /**
     * The event types of this platform that mean the user took the app's access away, as this
     * connector names them. Data, not taken from a body: an event of another type never revokes,
     * whatever it is called. A platform that sends no revocation answers none.
     */
    default Set<String> revocations() {
        return Set.of();
    }

    /**
     * A setting that makes every delivery of this platform refused although the operator meant to
     * receive them (said once when {@code serve} starts, besides the warning logged per refusal).
     */
    default Optional<String> refusingEverything() {
        return Optional.empty();
    }

    /** Answers a subscription handshake (Meta's GET with {@code hub.challenge}); empty means refuse. */
    default Optional<String> handshake(Map<String, String> query) {
        return Optional.empty();
    }

    /** The media type of a {@link #handshake} answer: Meta echoes text; LinkedIn's validation expects JSON. */
    default String handshakeContentType() {
        return "text/plain";
    }
}
