package io.cmis.platform.webhooks;

import io.cmis.platform.store.DatabaseOutage;
import io.cmis.platform.tenancy.Tenancy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Stores verified events durably, committing concurrent requests together (group commit): each
 * committer thread takes every request waiting, inserts all their events in one statement and one
 * commit, and only then answers each request. One commit per request would cap intake at the
 * database's commit rate; this way a commit carries as many requests as arrived during the last one.
 */
public final class EventInbox implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(EventInbox.class);
    private static final int MAX_EVENTS_PER_COMMIT = 2_000;
    /** A sender is answered 503 by then at the latest, well inside the 10 s platforms wait for an answer. */
    private static final long STORE_TIMEOUT_SECONDS = 8;
    private static final long MAX_BACKOFF_MILLIS = 1_000;

    private record Pending(List<NewEvent> events, CompletableFuture<Integer> stored) {
    }

    private final Tenancy tenancy;
    /** Each committer thread's own session. */
    private final ThreadLocal<Tenancy.SystemSession> sessions = new ThreadLocal<>();
    private static final java.time.Duration SESSION_MAX_AGE = java.time.Duration.ofMinutes(5);
    private final BlockingQueue<Pending> queue = new LinkedBlockingQueue<>();
    private final List<Thread> committers = new ArrayList<>();
    private final Runnable onStored;
    private volatile boolean closed;

    /** {@code onStored} runs after each commit that stored something new (to wake the workers). */
    public EventInbox(Tenancy tenancy, int committerThreads, Runnable onStored) {
        this.tenancy = tenancy;
        this.onStored = onStored;
        for (int i = 0; i < committerThreads; i++) {
            Thread t = new Thread(this::run, "cmis:inbox-" + i);
            t.setDaemon(true);
            t.start();
            committers.add(t);
        }
    }

    /**
     * Stores the events; returns how many were new (0: every one was a duplicate). Returns only
     * after the commit; throws {@link InboxUnavailableException} when the database did not commit.
     */
    public int store(List<NewEvent> events) {
        try {
            return storeAsync(events).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InboxUnavailableException("interrupted");
        } catch (ExecutionException e) {
            throw e.getCause() instanceof InboxUnavailableException u ? u
                    : new InboxUnavailableException(e.getCause().getMessage());
        }
    }

    /**
     * The same without waiting: completes with the count once committed, or exceptionally with
     * {@link InboxUnavailableException}. No thread waits for the commit, so a server can hold many
     * requests open on a few threads while their events are gathered into one commit.
     */
    public CompletableFuture<Integer> storeAsync(List<NewEvent> events) {
        if (events.isEmpty()) {
            return CompletableFuture.completedFuture(0);
        }
        if (closed) {
            return CompletableFuture.failedFuture(new InboxUnavailableException("shutting down"));
        }
        Pending pending = new Pending(events, new CompletableFuture<>());
        queue.add(pending);
        return pending.stored()
                .orTimeout(STORE_TIMEOUT_SECONDS, TimeUnit.SECONDS)
                .exceptionallyCompose(e -> CompletableFuture.failedFuture(e instanceof TimeoutException
                        ? new InboxUnavailableException("the database did not commit within " + STORE_TIMEOUT_SECONDS
                        + " s")
                        : new InboxUnavailableException(e.getMessage())));
    }

    /**
     * The committer: never dies. A failed commit (the database down, restarting, failing over) answers
     * its requests 503 and waits a little longer each time before the next try, so the committer
     * neither spins nor gives up: once the database is back, the next batch commits.
     */
    private void run() {
        try {
            commitUntilClosed();
        } finally {
            closeSession();
        }
    }

    private void commitUntilClosed() {
        long backoffMillis = 0;
        while (!closed || !queue.isEmpty()) {
            try {
                List<Pending> batch = nextBatch();
                if (batch.isEmpty()) {
                    continue;
                }
                backoffMillis = commit(batch) ? 0 : Math.min(MAX_BACKOFF_MILLIS, Math.max(50, backoffMillis * 2));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (Throwable t) {
                log.error("webhook intake committer: {}", String.valueOf(t));
                backoffMillis = MAX_BACKOFF_MILLIS;
            }
            if (backoffMillis > 0 && !closed) {
                try {
                    Thread.sleep(backoffMillis);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    /** Every request waiting (up to a commit's worth), leaving out those already answered 503 by their timeout. */
    private List<Pending> nextBatch() throws InterruptedException {
        List<Pending> batch = new ArrayList<>();
        Pending first = queue.poll(200, TimeUnit.MILLISECONDS);
        int events = 0;
        for (Pending next = first; next != null; next = events < MAX_EVENTS_PER_COMMIT ? queue.poll() : null) {
            if (!next.stored().isDone()) {
                batch.add(next);
                events += next.events().size();
            }
        }
        return batch;
    }

    /** Commits the batch and answers its requests; false when the database did not commit. */
    private boolean commit(List<Pending> batch) {
        List<NewEvent> all = new ArrayList<>();
        batch.forEach(p -> all.addAll(p.events()));
        Set<String> inserted;
        try {
            inserted = WebhookEventRepository.insertNew(session(), all);
        } catch (RuntimeException e) {
            log.error("webhook intake could not store {} events: {}", all.size(), DatabaseOutage.describe(e));
            batch.forEach(p -> p.stored().completeExceptionally(e));
            closeSession(); // the connection may be broken: the next commit starts on a fresh one
            return false;
        }
        // A key new in this commit counts for the first request that carried it; later copies are duplicates.
        boolean anyNew = false;
        for (Pending p : batch) {
            int fresh = 0;
            for (NewEvent e : p.events()) {
                if (inserted.remove(e.platform() + "\n" + e.eventKey())) {
                    fresh++;
                }
            }
            anyNew |= fresh > 0;
            // A request whose wait already ran out was answered 503; its events are stored all the same,
            // and the sender's retry finds them (already_processed).
            p.stored().complete(fresh);
        }
        if (anyNew) {
            onStored.run();
        }
        return true;
    }

    /** The committer's session, reopened after a failure and every few minutes (so its connection is recycled). */
    private Tenancy.SystemSession session() {
        Tenancy.SystemSession current = sessions.get();
        if (current != null && current.age().compareTo(SESSION_MAX_AGE) > 0) {
            closeSession();
            current = null;
        }
        if (current == null) {
            current = tenancy.systemSession("webhook intake");
            sessions.set(current);
        }
        return current;
    }

    private void closeSession() {
        Tenancy.SystemSession current = sessions.get();
        sessions.remove();
        if (current != null) {
            try {
                current.close();
            } catch (RuntimeException e) {
                log.debug("closing the intake session: {}", e.getMessage());
            }
        }
    }

    /** Whether every committer still runs (for {@code /health/live}). */
    public boolean alive() {
        return committers.stream().allMatch(Thread::isAlive);
    }

    /** Stores what is queued, then stops the committers. */
    @Override
    public void close() {
        closed = true;
        for (Thread t : committers) {
            try {
                t.join(STORE_TIMEOUT_SECONDS * 1000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
