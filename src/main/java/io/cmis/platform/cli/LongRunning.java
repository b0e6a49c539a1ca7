package io.cmis.platform.cli;

import io.cmis.platform.health.Liveness;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What {@code serve} and {@code webhooks work} share as long-running processes: they run until
 * stopped, exit 0 after a SIGTERM has drained them, and exit 1 when one of their loops died anyway,
 * so that systemd's {@code Restart=on-failure} starts them again instead of them limping on.
 */
final class LongRunning {
    /** How often the loops are checked (they survive any exception; this is the backstop). */
    private static final long WATCHDOG_SECONDS = 5;

    private final CountDownLatch stopped = new CountDownLatch(1);
    private final AtomicInteger exitCode = new AtomicInteger(ExitCodes.OK);
    private final String command;

    LongRunning(String command) {
        this.command = command;
    }

    /** Checks {@code liveness} on {@code schedule}; a dead loop ends the run with exit 1. */
    void watch(Liveness liveness, ScheduledExecutorService schedule, CliContext context) {
        schedule.scheduleWithFixedDelay(liveness.watchdog(dead -> {
            context.notice("error: " + String.join(", ", dead) + " stopped; " + command + " exits with status 1 so "
                    + "that its service manager starts it again");
            exitCode.set(ExitCodes.SOME_FAILED);
            stopped.countDown();
        }), WATCHDOG_SECONDS, WATCHDOG_SECONDS, TimeUnit.SECONDS);
    }

    /** The drain is done (the context's stop sequence ran): {@link #await} returns. */
    void stopped() {
        stopped.countDown();
    }

    /**
     * Waits until stopped. A SIGTERM meanwhile is a normal stop: the JVM shuts down with status 0
     * rather than its 143, its hooks (the context's stop sequence: drain, give back, close) run as
     * always, and systemd records a clean stop.
     */
    int await() {
        sun.misc.Signal term = new sun.misc.Signal("TERM");
        sun.misc.SignalHandler previous;
        try {
            previous = sun.misc.Signal.handle(term, signal -> System.exit(ExitCodes.OK));
        } catch (IllegalArgumentException reservedByTheVm) {
            previous = null; // -Xrs: the JVM's own handling (exit 143) stays
        }
        try {
            stopped.await();
        } catch (InterruptedException e) {
            // Stopped by whoever started it in this process (demo): the stop sequence runs when the context
            // closes, which needs the interrupt cleared to wait for requests and workers.
            return ExitCodes.OK;
        } finally {
            if (previous != null) {
                sun.misc.Signal.handle(term, previous);
            }
        }
        return exitCode.get();
    }
}
