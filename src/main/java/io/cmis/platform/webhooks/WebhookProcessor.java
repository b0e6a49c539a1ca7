package io.cmis.platform.webhooks;

import io.cmis.platform.platforms.ConnectorRegistry;
import io.cmis.platform.tenancy.Tenancy;
import org.jdbi.v3.core.JdbiException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.BooleanSupplier;
import java.util.random.RandomGenerator;
import java.util.stream.Collectors;

/**
 * One worker: claims a batch of due events with {@code FOR UPDATE SKIP LOCKED} and a lease, routes
 * them to their orgs, applies their effects, forwards them, and records each outcome. Workers on
 * any number of hosts share the queue; an event whose worker died is taken up again when its lease
 * runs out (at-least-once; the effects are idempotent). Database work is batched, so the cost per
 * event is a fraction of a round trip.
 */
public final class WebhookProcessor {
    private static final Logger log = LoggerFactory.getLogger(WebhookProcessor.class);

    private final Tenancy tenancy;
    private final WebhookSettings settings;
    private final Clock clock;
    private final RandomGenerator random;
    private final String worker;
    private final EventEffects effects;
    private final Optional<EventForwarder> forwarder;
    /** Claims of a batch that the database failed in the middle of (a restart): given back first thing next time. */
    private final List<UUID> toGiveBack = new ArrayList<>();

    /** {@code registry}: each platform's declared revocations, the only events that may revoke. */
    public WebhookProcessor(Tenancy tenancy, WebhookSettings settings, Clock clock, RandomGenerator random,
                            String worker, ConnectorRegistry registry) {
        this.tenancy = tenancy;
        this.settings = settings;
        this.clock = clock;
        this.random = random;
        this.worker = worker;
        this.effects = new EventEffects(tenancy, clock, Revocations.declaredBy(registry));
        this.forwarder = settings.forwardUrl().map(url -> new EventForwarder(url, settings.forwardSecret(), clock));
    }

    /** Claims up to {@code max} due events and processes them; stops early (releasing the rest) when asked. */
    public List<EventOutcome> processBatch(int max, BooleanSupplier stopping) {
        giveBackLeftovers();
        Instant now = clock.instant();
        List<StoredEvent> claimed = tenancy.systemWide("claim webhook events",
                h -> new WebhookEventRepository(h).claim(worker, max, now, now.plus(settings.lease())));
        if (claimed.isEmpty()) {
            return List.of();
        }
        try {
            return process(claimed, stopping);
        } catch (RuntimeException e) {
            // The database went away mid-batch: rather than leave the events to their lease (a minute of
            // nothing happening after it is back), this worker gives them back as soon as it can.
            claimed.forEach(c -> toGiveBack.add(c.id()));
            throw e;
        }
    }

    private void giveBackLeftovers() {
        if (toGiveBack.isEmpty()) {
            return;
        }
        int back = tenancy.systemWide("give back the events of a batch the database failed",
                h -> new WebhookEventRepository(h).release(worker, toGiveBack));
        log.info("gave back {} webhook events claimed before the database failed", back);
        toGiveBack.clear();
    }

    private List<EventOutcome> process(List<StoredEvent> claimed, BooleanSupplier stopping) {
        Map<UUID, List<EventRouter.Match>> matches = route(claimed);
        List<EventOutcome> outcomes = new ArrayList<>();
        List<WebhookEventRepository.Processed> done = new ArrayList<>();
        List<UUID> released = new ArrayList<>();
        for (StoredEvent event : claimed) {
            if (stopping.getAsBoolean()) {
                released.add(event.id());
                outcomes.add(new EventOutcome(event.id(), event.platform(), event.eventType(), "released",
                        "the worker stopped before it; it is queued again", null));
                continue;
            }
            List<EventRouter.Match> found = matches.getOrDefault(event.id(), List.of());
            StoredEvent routed = withRoute(event, found);
            if (event.attempts() > settings.maxAttempts()) {
                outcomes.add(fail(routed, new ProcessingException(false, "gave up after " + settings.maxAttempts()
                        + " attempts (workers stopped while processing it)")));
                continue;
            }
            try {
                String effect = effects.apply(routed, found);
                forwarder.ifPresent(f -> f.forward(routed, effect));
                done.add(new WebhookEventRepository.Processed(event.id(), routed.orgId(), routed.integrationId(), effect,
                        forwarder.isPresent()));
                outcomes.add(new EventOutcome(event.id(), event.platform(), event.eventType(), "processed", effect,
                        null));
            } catch (ProcessingException e) {
                outcomes.add(fail(routed, e));
            } catch (JdbiException e) {
                outcomes.add(fail(routed, new ProcessingException(true, "database: " + e.getMessage())));
            }
        }
        finish(done, released);
        return outcomes;
    }

    /** Routes the batch: one query per platform; what it found is recorded with each outcome. */
    private Map<UUID, List<EventRouter.Match>> route(List<StoredEvent> events) {
        return tenancy.systemWide("route webhook events to orgs", h -> {
            Map<UUID, List<EventRouter.Match>> byEvent = new LinkedHashMap<>();
            Map<String, List<StoredEvent>> byPlatform = events.stream()
                    .collect(Collectors.groupingBy(StoredEvent::platform));
            for (Map.Entry<String, List<StoredEvent>> group : byPlatform.entrySet()) {
                Set<String> keys = group.getValue().stream().map(StoredEvent::routingKey)
                        .filter(java.util.Objects::nonNull).collect(Collectors.toSet());
                Map<String, List<EventRouter.Match>> found = new EventRouter(h).route(group.getKey(), keys);
                for (StoredEvent e : group.getValue()) {
                    byEvent.put(e.id(), e.routingKey() == null ? List.of()
                            : found.getOrDefault(e.routingKey(), List.of()));
                }
            }
            return byEvent;
        });
    }

    private static StoredEvent withRoute(StoredEvent e, List<EventRouter.Match> m) {
        return new StoredEvent(e.id(), m.isEmpty() ? null : m.get(0).orgId(),
                m.isEmpty() ? null : m.get(0).integrationId(), e.platform(), e.eventKey(), e.eventType(),
                e.routingKey(), e.payload(), e.status(), m.isEmpty(), e.attempts(), e.nextAttemptAt(), e.lastError(),
                e.effect(), e.receivedAt(), e.processedAt(), e.forwardedAt(), e.occurredAt());
    }

    /** Records the processed events in one batch, and gives back those not started. */
    private void finish(List<WebhookEventRepository.Processed> done, List<UUID> released) {
        Instant now = clock.instant();
        tenancy.systemWide("record processed webhook events", h -> {
            WebhookEventRepository repository = new WebhookEventRepository(h);
            repository.processed(worker, done, now);
            repository.release(worker, released);
            return null;
        });
    }

    private EventOutcome fail(StoredEvent event, ProcessingException e) {
        Optional<Instant> next = Optional.empty();
        if (e.isTransient() && event.attempts() < settings.maxAttempts()) {
            Duration wait = settings.retryBackoff().get(event.attempts() - 1);
            // ±10% jitter, so events that failed together do not all come back in the same second.
            long jittered = Math.round(wait.toMillis() * (0.9 + 0.2 * random.nextDouble()));
            next = Optional.of(clock.instant().plusMillis(jittered));
        }
        String error = e.getMessage();
        Optional<Instant> at = next;
        tenancy.systemWide("record a failed webhook event",
                h -> new WebhookEventRepository(h).failed(event.id(), event.orgId(), event.integrationId(), worker,
                        error, at));
        String outcome = next.isPresent() ? "retrying" : "dead";
        log.warn("webhook event {} ({} {}) {}: {}", event.id(), event.platform(), event.eventType(), outcome, error);
        return new EventOutcome(event.id(), event.platform(), event.eventType(), outcome, error, next.orElse(null));
    }
}
