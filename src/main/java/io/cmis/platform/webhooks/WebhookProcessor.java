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
 * One worker: locks a batch of due events with {@code FOR UPDATE SKIP LOCKED}, routes them to their
 * orgs, applies their effects, forwards them, and records each outcome, all in the one transaction
 * that holds the locks. Workers on any number of hosts share the queue. The lock is the claim: an
 * event is written once by intake and once with its outcome, never in between; a worker that dies
 * leaves its batch to the next at once (its connection closes and the transaction with it), and one
 * whose host goes silent leaves it once the server ends its session. Either way nothing of the batch
 * is recorded and another worker processes it again (at-least-once; the effects are idempotent, a
 * forward is sent again under the same {@code webhook-id}).
 */
public final class WebhookProcessor {
    private static final Logger log = LoggerFactory.getLogger(WebhookProcessor.class);
    /**
     * Past the lease a worker starts no more events of its batch; the event in hand may take this much
     * longer (a forward: 5 s to connect, 10 s to answer), and only a session silent beyond both is
     * ended by the server.
     */
    static final Duration LAST_EVENT_ALLOWANCE = Duration.ofSeconds(30);

    private final Tenancy tenancy;
    private final WebhookSettings settings;
    private final Clock clock;
    private final RandomGenerator random;
    private final String worker;
    private final EventEffects effects;
    private final Optional<EventForwarder> forwarder;

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

    /**
     * Locks up to {@code max} due events and processes them; stops early when asked, or once the lease
     * has passed, leaving the rest in the queue. Throws when the database fails: then nothing of the
     * batch is recorded and its events are due again.
     */
    public List<EventOutcome> processBatch(int max, BooleanSupplier stopping) {
        Instant now = clock.instant();
        Instant deadline = now.plus(settings.lease());
        return tenancy.systemWideApart("process webhook events", h -> {
            WebhookEventRepository repository = new WebhookEventRepository(h);
            List<StoredEvent> locked = repository.lockDue(max, now, forwarder.isPresent(),
                    settings.lease().plus(LAST_EVENT_ALLOWANCE));
            if (locked.isEmpty()) {
                return List.of();
            }
            Map<UUID, List<EventRouter.Match>> matches = route(h, locked);
            List<EventOutcome> outcomes = new ArrayList<>();
            List<WebhookEventRepository.Finished> finished = new ArrayList<>();
            for (StoredEvent event : locked) {
                if (stopping.getAsBoolean() || clock.instant().isAfter(deadline)) {
                    outcomes.add(new EventOutcome(event.id(), event.platform(), event.eventType(), "released",
                            "the worker stopped, or its batch outlasted webhooks.lease, before it; it is queued again",
                            null));
                    continue;
                }
                StoredEvent routed = withRoute(event, matches.getOrDefault(event.id(), List.of()));
                finished.add(process(routed, matches.getOrDefault(event.id(), List.of()), outcomes));
            }
            repository.finish(finished, clock.instant());
            return outcomes;
        });
    }

    /** One event: its outcome goes to {@code outcomes}, and what to record is returned. */
    private WebhookEventRepository.Finished process(StoredEvent event, List<EventRouter.Match> found,
                                                    List<EventOutcome> outcomes) {
        // An event an older version left claimed counted its attempt when it was claimed.
        int attempt = "processing".equals(event.status()) ? event.attempts() : event.attempts() + 1;
        if (attempt > settings.maxAttempts()) {
            return fail(event, attempt, new ProcessingException(false, "gave up after " + settings.maxAttempts()
                    + " attempts (workers stopped while processing it)"), outcomes);
        }
        try {
            String effect = effects.apply(event, found);
            forwarder.ifPresent(f -> f.forward(event, effect));
            outcomes.add(new EventOutcome(event.id(), event.platform(), event.eventType(), "processed", effect, null));
            return new WebhookEventRepository.Finished(event.id(), "processed", event.orgId(), event.integrationId(),
                    effect, null, null, forwarder.isPresent(), attempt);
        } catch (ProcessingException e) {
            return fail(event, attempt, e, outcomes);
        } catch (JdbiException e) {
            return fail(event, attempt, new ProcessingException(true, "database: " + e.getMessage()), outcomes);
        }
    }

    /** Routes the batch: one query per platform; what it found is recorded with each outcome. */
    private static Map<UUID, List<EventRouter.Match>> route(org.jdbi.v3.core.Handle h, List<StoredEvent> events) {
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
    }

    private static StoredEvent withRoute(StoredEvent e, List<EventRouter.Match> m) {
        return new StoredEvent(e.id(), m.isEmpty() ? null : m.get(0).orgId(),
                m.isEmpty() ? null : m.get(0).integrationId(), e.platform(), e.eventKey(), e.eventType(),
                e.routingKey(), e.payload(), e.status(), m.isEmpty(), e.attempts(), e.nextAttemptAt(), e.lastError(),
                e.effect(), e.receivedAt(), e.processedAt(), e.forwardedAt(), e.occurredAt());
    }

    /** A failed attempt: retried after its backoff while attempts remain and the failure is transient, else dead. */
    private WebhookEventRepository.Finished fail(StoredEvent event, int attempt, ProcessingException e,
                                                 List<EventOutcome> outcomes) {
        Instant next = null;
        if (e.isTransient() && attempt < settings.maxAttempts()) {
            Duration wait = settings.retryBackoff().get(attempt - 1);
            // ±10% jitter, so events that failed together do not all come back in the same second.
            long jittered = Math.round(wait.toMillis() * (0.9 + 0.2 * random.nextDouble()));
            next = clock.instant().plusMillis(jittered);
        }
        String outcome = next != null ? "retrying" : "dead";
        log.warn("webhook event {} ({} {}) {} ({}): {}", event.id(), event.platform(), event.eventType(), outcome,
                worker, e.getMessage());
        outcomes.add(new EventOutcome(event.id(), event.platform(), event.eventType(), outcome, e.getMessage(), next));
        return new WebhookEventRepository.Finished(event.id(), outcome, event.orgId(), event.integrationId(), null,
                e.getMessage(), next, false, attempt);
    }
}
