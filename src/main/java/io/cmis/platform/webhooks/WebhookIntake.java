package io.cmis.platform.webhooks;

import io.cmis.platform.platforms.ConnectorRegistry;
import io.cmis.platform.platforms.InboundEvent;
import io.cmis.platform.platforms.MalformedWebhookException;
import io.cmis.platform.platforms.WebhookRejectedException;
import io.cmis.platform.platforms.WebhookSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * {@code POST /webhooks/{platform}}: the signature is checked on the raw bytes first, then the body
 * is split into events with their dedupe keys, then they are committed; only then is the answer 200.
 * Nothing is stored for a refused request.
 */
public final class WebhookIntake {
    public static final int MAX_BODY_BYTES = 1024 * 1024;
    private static final Logger log = LoggerFactory.getLogger(WebhookIntake.class);

    private final ConnectorRegistry registry;
    private final EventInbox inbox;
    private final Clock clock;

    public WebhookIntake(ConnectorRegistry registry, EventInbox inbox, Clock clock) {
        this.registry = registry;
        this.inbox = inbox;
        this.clock = clock;
    }

    /** Headers with lower-case names. Waits for the commit. */
    public IntakeResult receive(String platform, Map<String, String> headers, byte[] body) {
        return receiveAsync(platform, headers, body).join();
    }

    /** The same, completing when the events are committed (or refused); never completes exceptionally. */
    public CompletableFuture<IntakeResult> receiveAsync(String platform, Map<String, String> headers, byte[] body) {
        Optional<WebhookSupport> support = support(platform);
        if (support.isEmpty()) {
            return CompletableFuture.completedFuture(IntakeResult.refused(404, "unknown_platform", "no platform '"
                    + platform + "'; known: " + String.join(", ", ConnectorRegistry.knownIds())));
        }
        if (body.length > MAX_BODY_BYTES) {
            return CompletableFuture.completedFuture(IntakeResult.refused(413, "too_large", "the body is over 1 MiB"));
        }
        List<InboundEvent> events;
        try {
            support.get().verify(headers, body);
            events = support.get().events(body);
        } catch (WebhookRejectedException e) {
            log.warn("{} webhook refused: {}", platform, e.getMessage());
            return CompletableFuture.completedFuture(IntakeResult.refused(401, "unauthorized", e.getMessage()));
        } catch (MalformedWebhookException e) {
            log.warn("{} webhook malformed: {}", platform, e.getMessage());
            return CompletableFuture.completedFuture(IntakeResult.refused(400, "malformed", e.getMessage()));
        }
        Instant now = clock.instant();
        List<NewEvent> rows = new ArrayList<>(events.size());
        for (InboundEvent e : events) {
            // A signed time ahead of ours (skew) counts as now: no event can claim to come after a later connect.
            Instant occurred = e.occurredAt().map(t -> t.isAfter(now) ? now : t).orElse(null);
            rows.add(new NewEvent(EventIds.next(now.toEpochMilli()), platform, e.eventKey(), e.eventType(),
                    e.routingKey().orElse(null), e.payloadJson(), now, occurred));
        }
        return inbox.storeAsync(rows)
                .thenApply(stored -> IntakeResult.queued(rows.size(), stored))
                .exceptionally(e -> IntakeResult.refused(503, "unavailable", "could not store the event; try again"));
    }

    /** Settings under which a platform's every delivery is refused, one sentence each (for serve to say at start). */
    public List<String> refusals() {
        List<String> out = new ArrayList<>();
        for (String platform : ConnectorRegistry.knownIds()) {
            support(platform).flatMap(WebhookSupport::refusingEverything).ifPresent(out::add);
        }
        return out;
    }

    /** A subscription handshake (Meta's verify token, LinkedIn's challengeCode); empty means refuse. */
    public Optional<String> handshake(String platform, Map<String, String> query) {
        return support(platform).flatMap(s -> s.handshake(query));
    }

    /** The media type of that answer (LinkedIn's validation expects JSON). */
    public String handshakeContentType(String platform) {
        return support(platform).map(WebhookSupport::handshakeContentType).orElse("text/plain");
    }

    private Optional<WebhookSupport> support(String platform) {
        if (!ConnectorRegistry.knownIds().contains(platform)) {
            return Optional.empty();
        }
        return Optional.ofNullable(registry.get(platform).webhooks());
    }
}
