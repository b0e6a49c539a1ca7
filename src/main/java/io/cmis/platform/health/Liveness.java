package io.cmis.platform.health;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;
import java.util.function.BooleanSupplier;

/**
 * Whether every long-running loop of {@code serve} (or {@code webhooks work}) is still running, for {@code /health/live}: the
 * loops are built to survive any exception ({@link #guard}), and this is what tells systemd's
 * {@code Restart=} or a load balancer when one died anyway.
 */
public final class Liveness {
    private static final Logger log = LoggerFactory.getLogger(Liveness.class);

    private final Map<String, BooleanSupplier> loops = new LinkedHashMap<>();

    /** Watches a loop by whatever says it runs (its threads are alive). */
    public synchronized void watch(String name, BooleanSupplier alive) {
        loops.put(name, alive);
    }

    /** Watches a scheduled task: a periodic task's future is done only when it died or was cancelled. */
    public void watch(String name, Future<?> scheduled) {
        watch(name, () -> !scheduled.isDone());
    }

    /** The names of the loops that no longer run; empty when all do. */
    public synchronized List<String> dead() {
        List<String> dead = new ArrayList<>();
        loops.forEach((name, alive) -> {
            if (!alive.getAsBoolean()) {
                dead.add(name);
            }
        });
        return dead;
    }

    public synchronized List<String> names() {
        return List.copyOf(loops.keySet());
    }

    /** The answer of {@code /health/live}: its HTTP status and JSON fields. */
    public record Answer(int httpStatus, Map<String, Object> document) {
    }

    /**
     * 200 while every loop runs; 503 naming the dead ones, so systemd or a load balancer can act. The
     * same answer from {@code serve} and from {@code webhooks work}.
     */
    public synchronized Answer answer() {
        List<String> dead = dead();
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("status", dead.isEmpty() ? "ok" : "failing");
        out.put("loops", names());
        if (!dead.isEmpty()) {
            out.put("dead", dead);
        }
        return new Answer(dead.isEmpty() ? 200 : 503, out);
    }

    /**
     * A periodic check that hands the names of dead loops to {@code onDead} (serve then exits with
     * status 1, so systemd's {@code Restart=on-failure} starts it again instead of it limping on).
     */
    public Runnable watchdog(java.util.function.Consumer<List<String>> onDead) {
        return guard("liveness watchdog", () -> {
            List<String> dead = dead();
            if (!dead.isEmpty()) {
                onDead.accept(dead);
            }
        });
    }

    /**
     * One round of a periodic loop that must never stop: whatever it throws is logged, and the next
     * round runs as scheduled (a scheduled executor silently cancels a task that throws once).
     */
    public static Runnable guard(String name, Runnable round) {
        return () -> {
            try {
                round.run();
            } catch (Throwable t) {
                log.error("{}: {}; trying again next round", name, String.valueOf(t));
            }
        };
    }
}
