package io.cmis.platform.webhooks;

import io.cmis.platform.store.DatabaseOutage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntFunction;

/**
 * The processing workers of {@code serve} and of {@code webhooks work}: each takes batches while there are due events and
 * otherwise waits until intake stores something new or a second passes (retries come due
 * without intake). {@link #stop} lets each finish the event in hand and gives the rest back.
 */
public final class WebhookWorkers implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(WebhookWorkers.class);
    private static final long IDLE_WAIT_MILLIS = 1_000;
    /**
     * After a batch smaller than a full one, a worker lets the queue fill this long before it claims
     * again, whatever intake says: claimed as they arrive (intake wakes the workers at every group
     * commit), events came a few at a time, and a claim, a routing and a finish per few events cost
     * serve and PostgreSQL more than the intake itself (measured: README, Scaling out). An event
     * waits at most this long more; a full batch is followed by the next claim at once.
     */
    static final long LINGER_MILLIS = 100;

    private final List<Thread> threads = new ArrayList<>();
    private final Object signal = new Object();
    private final AtomicLong processed = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private volatile boolean stopping;
    private final java.util.concurrent.CountDownLatch stopped = new java.util.concurrent.CountDownLatch(1);
    private final java.util.function.Consumer<EventOutcome> onOutcome;

    /**
     * Starts {@code count} workers; {@code processorFor} builds worker {@code i}'s processor;
     * {@code onOutcome} hears every outcome (serve's counters).
     */
    public WebhookWorkers(int count, int batchSize, IntFunction<WebhookProcessor> processorFor,
                          java.util.function.Consumer<EventOutcome> onOutcome) {
        this.onOutcome = onOutcome;
        for (int i = 0; i < count; i++) {
            WebhookProcessor processor = processorFor.apply(i);
            Thread t = new Thread(() -> loop(processor, batchSize), "cmis:worker-" + i);
            t.setDaemon(true);
            threads.add(t);
        }
        threads.forEach(Thread::start);
    }

    /**
     * {@code count} workers named {@code name:0}, {@code name:1}, ..., each with its own processor: the one
     * way {@code serve} and {@code webhooks work} start theirs.
     */
    public static WebhookWorkers start(int count, WebhookSettings settings, io.cmis.platform.tenancy.Tenancy tenancy,
                                       java.time.Clock clock, java.util.random.RandomGenerator random, String name,
                                       io.cmis.platform.platforms.ConnectorRegistry registry,
                                       java.util.function.Consumer<EventOutcome> onOutcome) {
        return new WebhookWorkers(count, settings.batchSize(), i -> new WebhookProcessor(tenancy, settings, clock,
                random, name + ":" + i, registry), onOutcome);
    }

    /** Whether every worker still runs (for {@code /health/live}). */
    public boolean alive() {
        return threads.stream().allMatch(Thread::isAlive);
    }

    /** Wakes idle workers: there is new work. */
    public void wake() {
        synchronized (signal) {
            signal.notifyAll();
        }
    }

    public long processed() {
        return processed.get();
    }

    public long failed() {
        return failed.get();
    }

    private void loop(WebhookProcessor processor, int batchSize) {
        while (!stopping) {
            List<EventOutcome> outcomes;
            try {
                outcomes = processor.processBatch(batchSize, () -> stopping);
            } catch (Throwable e) {
                // The database went away or similar: the claims expire and another pass takes them up.
                // Nothing may end this loop but stop(): a dead worker would leave the queue to grow unseen.
                log.warn("webhook worker: {}", DatabaseOutage.describe(e));
                outcomes = List.of();
                idle();
            }
            for (EventOutcome o : outcomes) {
                (o.succeeded() ? processed : failed).incrementAndGet();
                onOutcome.accept(o);
            }
            if (outcomes.isEmpty()) {
                idle();
            } else if (outcomes.size() < batchSize) {
                linger();
            }
        }
    }

    private void linger() {
        try {
            stopped.await(LINGER_MILLIS, java.util.concurrent.TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            stopping = true;
        }
    }

    private void idle() {
        synchronized (signal) {
            if (stopping) {
                return;
            }
            try {
                signal.wait(IDLE_WAIT_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                stopping = true;
            }
        }
    }

    /** Stops taking work, lets each worker finish its current event, gives the rest back; waits for them. */
    public void stop() {
        stopping = true;
        stopped.countDown();
        wake();
        for (Thread t : threads) {
            try {
                t.join(30_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    @Override
    public void close() {
        stop();
    }
}
