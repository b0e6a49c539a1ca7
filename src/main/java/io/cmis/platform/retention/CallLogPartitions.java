package io.cmis.platform.retention;

import io.cmis.platform.tenancy.Tenancy;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.statement.UnableToExecuteStatementException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * The raw call log's day partitions (UTC days): created {@value #DAYS_AHEAD} days ahead, dropped
 * whole once every call in them is past the retention. Adding and dropping a partition each need a
 * moment's lock on the log that running writers hold briefly; each waits at most
 * {@value #LOCK_TIMEOUT} for it (so the log's writers are never held up longer), is tried
 * {@value #ATTEMPTS} times, and is otherwise left for the next run (a transaction left open on the
 * log must not make prune fail, nor prune stall the log).
 */
final class CallLogPartitions {
    private static final Logger log = LoggerFactory.getLogger(CallLogPartitions.class);
    static final int DAYS_AHEAD = 14;
    private static final String LOCK_TIMEOUT = "2s";
    private static final int ATTEMPTS = 3;
    private static final String LOCK_NOT_AVAILABLE = "55P03";

    private static final String DAYS = """
            SELECT to_date(substring(c.relname from '(\\d{8})$'), 'YYYYMMDD')
            FROM pg_inherits i
            JOIN pg_class c ON c.oid = i.inhrelid
            WHERE i.inhparent = 'platform_api_calls'::regclass
              AND c.relname ~ '^platform_api_calls_\\d{8}$'
            ORDER BY 1
            """;

    /** What a drop did: the partitions dropped, the calls they held, and those left for the next run. */
    record Dropped(int partitions, long calls, int deferred) {
    }

    private final Tenancy tenancy;

    CallLogPartitions(Tenancy tenancy) {
        this.tenancy = tenancy;
    }

    List<LocalDate> days() {
        return tenancy.systemWide("list call log partitions", h -> h.createQuery(DAYS).mapTo(LocalDate.class).list());
    }

    /** Makes sure today and the next {@value #DAYS_AHEAD} days have partitions; how many were added. */
    int addAhead(Instant now) {
        LocalDate today = LocalDate.ofInstant(now, ZoneOffset.UTC);
        List<LocalDate> existing = days();
        int added = 0;
        for (LocalDate day = today; !day.isAfter(today.plusDays(DAYS_AHEAD)); day = day.plusDays(1)) {
            LocalDate d = day;
            if (!existing.contains(d) && withLockTimeout("add call log partition", h -> h.createQuery(
                    "SELECT add_api_call_partition(:day)").bind("day", d).mapTo(Boolean.class).one()).orElse(false)) {
                added++;
            }
        }
        return added;
    }

    /** Drops every day that ended at or before the cutoff. */
    Dropped dropBefore(Instant cutoff) {
        int partitions = 0;
        long calls = 0;
        int deferred = 0;
        for (LocalDate day : days()) {
            if (!day.plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant().isAfter(cutoff)) {
                Optional<Long> held = withLockTimeout("drop call log partition", h -> h.createQuery(
                        "SELECT coalesce(drop_api_call_partition(:day), -1)").bind("day", day).mapTo(Long.class).one());
                if (held.isEmpty()) {
                    deferred++;
                } else if (held.get() >= 0) { // -1: another pruner dropped it first
                    partitions++;
                    calls += held.get();
                }
            }
        }
        return new Dropped(partitions, calls, deferred);
    }

    /** The work's result, or empty if the lock it needs stayed taken through every attempt. */
    private <T> Optional<T> withLockTimeout(String purpose, Function<Handle, T> work) {
        for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
            try {
                return Optional.of(tenancy.systemWide(purpose, h -> {
                    h.createQuery("SELECT set_config('lock_timeout', :timeout, true)")
                            .bind("timeout", LOCK_TIMEOUT).mapTo(String.class).one();
                    return work.apply(h);
                }));
            } catch (UnableToExecuteStatementException e) {
                if (!(e.getCause() instanceof SQLException sql) || !LOCK_NOT_AVAILABLE.equals(sql.getSQLState())) {
                    throw e;
                }
                log.info("{}: the call log stayed locked for {} (attempt {} of {})", purpose, LOCK_TIMEOUT, attempt, ATTEMPTS);
            }
        }
        log.warn("{}: left for the next run, the call log stayed locked (is a transaction left open on it?)", purpose);
        return Optional.empty();
    }
}
