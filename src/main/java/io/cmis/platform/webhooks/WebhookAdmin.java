package io.cmis.platform.webhooks;

import io.cmis.platform.tenancy.Tenancy;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/** What operators do with the inbox: list it, put events back ({@code replay}), prune it ({@code cleanup}). */
public final class WebhookAdmin {
    static final int CLEANUP_BATCH = 500;

    private final Tenancy tenancy;
    private final Clock clock;

    public WebhookAdmin(Tenancy tenancy, Clock clock) {
        this.tenancy = tenancy;
        this.clock = clock;
    }

    public List<StoredEvent> list(Optional<String> status, Optional<String> platform, boolean unmatchedOnly, int limit) {
        return tenancy.systemWide("list webhook events",
                h -> new WebhookEventRepository(h).list(status, platform, unmatchedOnly, limit));
    }

    /**
     * What a replay selects: events to put back, ids that name no event, and events already waiting
     * (queued or being processed), which a replay leaves alone.
     */
    public record Replay(List<StoredEvent> requeued, List<UUID> unknown, List<StoredEvent> alreadyQueued) {
    }

    /** Re-queues the selected events (or only says which, on a dry run), in one transaction. */
    public Replay replay(ReplaySelection selection, boolean dryRun) {
        return tenancy.systemWide("replay webhook events", h -> {
            WebhookEventRepository repository = new WebhookEventRepository(h);
            List<StoredEvent> selected = repository.replayable(selection);
            List<UUID> unknown = new ArrayList<>();
            List<StoredEvent> waiting = new ArrayList<>();
            for (UUID id : selection.ids()) {
                if (selected.stream().noneMatch(e -> e.id().equals(id))) {
                    repository.find(id).ifPresentOrElse(waiting::add, () -> unknown.add(id));
                }
            }
            if (!dryRun && !selected.isEmpty()) {
                repository.requeue(selected.stream().map(StoredEvent::id).toList(), clock.instant());
            }
            return new Replay(selected, unknown, waiting);
        });
    }

    /**
     * Deletes processed events finished more than {@code olderThan} ago (and dead ones received
     * before that, when asked), in small transactions so the table stays usable meanwhile.
     * Queued, retrying and in-process events are never deleted.
     */
    public long cleanup(Duration olderThan, boolean includeDead) {
        java.time.Instant before = clock.instant().minus(olderThan);
        long deleted = 0;
        for (int n; (n = tenancy.systemWide("clean up old webhook events",
                h -> new WebhookEventRepository(h).deleteFinishedBefore(before, includeDead, CLEANUP_BATCH))) > 0; ) {
            deleted += n;
        }
        return deleted;
    }
}
