package io.cmis.platform.http;

import io.cmis.platform.tenancy.Tenancy;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.Optional;

/** The persisted state of each platform's breaker ({@code circuit_breakers}), shared by all processes. */
public final class CircuitBreakerStore {
    /** A breaker as last written by any process. */
    public record Row(String platform, String state, Instant openedAt, Instant openUntil, Instant updatedAt) {
    }

    private final Tenancy tenancy;

    public CircuitBreakerStore(Tenancy tenancy) {
        this.tenancy = tenancy;
    }

    public Optional<Row> find(String platform) {
        return tenancy.systemWide("read a circuit breaker", h -> h.createQuery("""
                        SELECT platform, state, opened_at, updated_at,
                               opened_at + make_interval(secs => wait_seconds) AS open_until
                        FROM circuit_breakers WHERE platform = :platform
                        """)
                .bind("platform", platform)
                .map((rs, ctx) -> new Row(rs.getString("platform"), rs.getString("state"),
                        instant(rs.getTimestamp("opened_at")), instant(rs.getTimestamp("open_until")),
                        instant(rs.getTimestamp("updated_at"))))
                .findOne());
    }

    public void save(String platform, String state, Instant openedAt, long waitSeconds, String lastFailure, Instant now) {
        tenancy.systemWide("persist a circuit breaker transition", h -> h.createUpdate("""
                        INSERT INTO circuit_breakers (platform, state, opened_at, wait_seconds, last_failure, updated_at)
                        VALUES (:platform, :state, :openedAt, :wait, :lastFailure, :now)
                        ON CONFLICT (platform) DO UPDATE
                           SET state = EXCLUDED.state, opened_at = EXCLUDED.opened_at,
                               wait_seconds = EXCLUDED.wait_seconds,
                               last_failure = coalesce(EXCLUDED.last_failure, circuit_breakers.last_failure),
                               failure_count = 0, updated_at = EXCLUDED.updated_at
                        """)
                .bind("platform", platform)
                .bind("state", state)
                .bind("openedAt", openedAt == null ? null : Timestamp.from(openedAt))
                .bind("wait", waitSeconds)
                .bind("lastFailure", lastFailure)
                .bind("now", Timestamp.from(now))
                .execute());
    }

    /**
     * Counts one more transient failure in a row, across every process; returns the count. One-shot
     * runs each make few calls, so a platform failing for all of them must still reach the threshold.
     */
    public int addFailure(String platform, String lastFailure, Instant now) {
        return tenancy.systemWide("count a platform failure", h -> h.createQuery("""
                        INSERT INTO circuit_breakers (platform, state, failure_count, last_failure, updated_at)
                        VALUES (:platform, 'closed', 1, :lastFailure, :now)
                        ON CONFLICT (platform) DO UPDATE
                           SET failure_count = circuit_breakers.failure_count + 1,
                               last_failure = EXCLUDED.last_failure
                        RETURNING failure_count
                        """)
                .bind("platform", platform).bind("lastFailure", lastFailure).bind("now", Timestamp.from(now))
                .mapTo(Integer.class).one());
    }

    /** A success ends the run of failures. */
    public void clearFailures(String platform) {
        tenancy.systemWide("reset a platform's failures", h -> h.createUpdate(
                        "UPDATE circuit_breakers SET failure_count = 0 WHERE platform = :platform AND failure_count > 0")
                .bind("platform", platform).execute());
    }

    private static Instant instant(Timestamp t) {
        return t == null ? null : t.toInstant();
    }
}
