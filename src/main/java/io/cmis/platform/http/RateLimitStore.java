package io.cmis.platform.http;

import io.cmis.platform.tenancy.Tenancy;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.time.Duration;
import io.cmis.platform.platforms.RateLimitExceededException;

/**
 * What the platforms said about their limits, shared by every process through {@code rate_limits}:
 * a scope limited until a time is not called again before then, by any process.
 */
public final class RateLimitStore {
    /** A limit another process records is seen within this long; this process's own at once. */
    static final java.time.Duration CACHE = java.time.Duration.ofSeconds(2);
    /**
     * Past this many limited scopes on one platform, the snapshot stops being cheap to re-read every
     * {@link #CACHE}: the scopes a call names are then read one call at a time, as before.
     */
    static final int SNAPSHOT_MAX = 10_000;

    /**
     * The platform's scopes limited at {@code readAt}, read in one statement; {@code complete} false
     * when there were more than {@link #SNAPSHOT_MAX} of them and {@code limits} holds none.
     */
    private record Snapshot(Map<String, Instant> limits, boolean complete, Instant readAt) {
        boolean freshAt(Instant now) {
            return !now.isBefore(readAt) && now.isBefore(readAt.plus(CACHE));
        }
    }

    private record Cached(Optional<Instant> until, Instant readAt) {
    }

    private final Tenancy tenancy;
    private final java.time.Clock clock;
    private final Map<String, Snapshot> snapshots = new java.util.concurrent.ConcurrentHashMap<>();
    /** Limits this process recorded: seen at once, whatever snapshot was read before or during the write. */
    private final Map<String, Instant> own = new java.util.concurrent.ConcurrentHashMap<>();
    /** Per-scope reads, used only while a platform has more limited scopes than a snapshot holds. */
    private final Map<String, Cached> cache = new java.util.concurrent.ConcurrentHashMap<>();

    public RateLimitStore(Tenancy tenancy, java.time.Clock clock) {
        this.tenancy = tenancy;
        this.clock = clock;
    }

    /**
     * Until when each of a call's scopes is limited (empty: not limited). The platform's limited scopes
     * are read in one statement at most once per {@link #CACHE} per process, so a call costs no round
     * trip at all however many integrations and scopes a run touches (a sync of 10,000 advertisers
     * would otherwise read one scope per call), and a limit another process records is still obeyed
     * within {@link #CACHE}.
     */
    public Map<String, Optional<Instant>> limitedUntil(String platform, java.util.List<String> scopes) {
        Instant now = clock.instant();
        Snapshot snapshot = snapshot(platform, now);
        Map<String, Optional<Instant>> out = new java.util.LinkedHashMap<>();
        java.util.List<String> unread = new java.util.ArrayList<>();
        for (String scope : scopes) {
            if (snapshot.complete()) {
                out.put(scope, later(snapshot.limits().get(scope), own.get(platform + "|" + scope)));
            } else {
                unread.add(scope);
            }
        }
        if (!unread.isEmpty()) {
            readEach(platform, unread, now).forEach((scope, until) ->
                    out.put(scope, later(until.orElse(null), own.get(platform + "|" + scope))));
        }
        return out;
    }

    private static Optional<Instant> later(Instant a, Instant b) {
        if (a == null || b == null) {
            return Optional.ofNullable(a == null ? b : a);
        }
        return Optional.of(a.isAfter(b) ? a : b);
    }

    private Snapshot snapshot(String platform, Instant now) {
        Snapshot current = snapshots.get(platform);
        if (current != null && current.freshAt(now)) {
            return current;
        }
        // One reader per platform re-reads it; the threads that arrive meanwhile wait for its answer
        // rather than each sending the same statement.
        synchronized (lockFor(platform)) {
            current = snapshots.get(platform);
            if (current != null && current.freshAt(now)) {
                return current;
            }
            Snapshot read = read(platform, now);
            snapshots.put(platform, read);
            own.entrySet().removeIf(e -> !e.getValue().isAfter(now));
            return read;
        }
    }

    private final Map<String, Object> locks = new java.util.concurrent.ConcurrentHashMap<>();

    private Object lockFor(String platform) {
        return locks.computeIfAbsent(platform, p -> new Object());
    }

    private Snapshot read(String platform, Instant now) {
        Map<String, Instant> limits = new java.util.HashMap<>();
        tenancy.systemWide("read the platform's limited scopes", h -> h.createQuery("""
                        SELECT scope, limited_until FROM rate_limits
                        WHERE platform = :platform AND limited_until > :now
                        LIMIT :max
                        """)
                .bind("platform", platform)
                .bind("now", Timestamp.from(now))
                .bind("max", SNAPSHOT_MAX + 1)
                .map((rs, ctx) -> limits.put(rs.getString("scope"), rs.getTimestamp("limited_until").toInstant()))
                .list());
        if (limits.size() > SNAPSHOT_MAX) {
            return new Snapshot(Map.of(), false, now);
        }
        return new Snapshot(Map.copyOf(limits), true, now);
    }

    /** The scopes not in a snapshot, read in one statement (those read within {@link #CACHE} from memory). */
    private Map<String, Optional<Instant>> readEach(String platform, java.util.List<String> scopes, Instant now) {
        Map<String, Optional<Instant>> out = new java.util.LinkedHashMap<>();
        java.util.List<String> missing = new java.util.ArrayList<>();
        for (String scope : scopes) {
            Cached cached = cache.get(platform + "|" + scope);
            if (cached != null && !now.isBefore(cached.readAt()) && now.isBefore(cached.readAt().plus(CACHE))) {
                out.put(scope, cached.until());
            } else if (!missing.contains(scope)) {
                missing.add(scope);
            }
        }
        if (!missing.isEmpty()) {
            Map<String, Instant> found = new java.util.HashMap<>();
            tenancy.systemWide("read the rate-limit state of a call's scopes", h -> h.createQuery(
                            "SELECT scope, limited_until FROM rate_limits WHERE platform = :platform AND scope = ANY(:scopes)")
                    .bind("platform", platform)
                    .bindArray("scopes", String.class, missing)
                    .map((rs, ctx) -> {
                        Timestamp until = rs.getTimestamp("limited_until");
                        if (until != null) {
                            found.put(rs.getString("scope"), until.toInstant());
                        }
                        return rs.getString("scope");
                    })
                    .list());
            cache.entrySet().removeIf(e -> !now.isBefore(e.getValue().readAt().plus(CACHE)));
            for (String scope : missing) {
                Optional<Instant> until = Optional.ofNullable(found.get(scope));
                cache.put(platform + "|" + scope, new Cached(until, now));
                out.put(scope, until);
            }
        }
        return out;
    }

    /**
     * Records that the limit's scope may not be called for its wait (keeping a later existing limit).
     * A growing limit that comes back within twice its longest wait of the last one waits twice as
     * long as before, up to that longest wait. Returns until when the scope is limited.
     */
    public Instant limit(String platform, RateLimitExceededException.Limit limit, String detail, Instant now) {
        cache.remove(platform + "|" + limit.scope());
        Instant recorded = tenancy.systemWide("record a rate limit", h -> {
            Optional<Map<String, Object>> last = h.createQuery("""
                            SELECT limited_until, strikes FROM rate_limits
                            WHERE platform = :platform AND scope = :scope FOR UPDATE
                            """)
                    .bind("platform", platform).bind("scope", limit.scope()).mapToMap().findOne();
            Instant lastUntil = last.map(r -> (Timestamp) r.get("limited_until")).map(Timestamp::toInstant).orElse(null);
            int strikes = last.map(r -> ((Number) r.get("strikes")).intValue()).orElse(0);
            boolean repeated = lastUntil != null && lastUntil.isAfter(now.minus(limit.maxDuration().multipliedBy(2)));
            int strike = repeated ? strikes + 1 : 1;
            Duration wait = limit.duration();
            if (limit.grows()) {
                wait = limit.duration().multipliedBy(1L << Math.min(20, strike - 1));
                wait = wait.compareTo(limit.maxDuration()) > 0 ? limit.maxDuration() : wait;
            }
            Instant until = now.plus(wait);
            h.createUpdate("""
                            INSERT INTO rate_limits (platform, scope, limited_until, detail, updated_at, strikes)
                            VALUES (:platform, :scope, :until, :detail, :now, :strikes)
                            ON CONFLICT (platform, scope) DO UPDATE
                               SET limited_until = GREATEST(rate_limits.limited_until, EXCLUDED.limited_until),
                                   detail = EXCLUDED.detail, updated_at = EXCLUDED.updated_at,
                                   strikes = EXCLUDED.strikes
                            """)
                    .bind("platform", platform)
                    .bind("scope", limit.scope())
                    .bind("until", Timestamp.from(until))
                    .bind("detail", detail)
                    .bind("now", Timestamp.from(now))
                    .bind("strikes", strike)
                    .execute();
            return until;
        });
        own.merge(platform + "|" + limit.scope(), recorded, (a, b) -> a.isAfter(b) ? a : b);
        return recorded;
    }

    public void usage(String platform, String scope, double percent, String detail, Instant now) {
        tenancy.systemWide("record platform usage", h -> h.createUpdate("""
                        INSERT INTO rate_limits (platform, scope, usage_pct, detail, updated_at)
                        VALUES (:platform, :scope, :usage, :detail, :now)
                        ON CONFLICT (platform, scope) DO UPDATE
                           SET usage_pct = EXCLUDED.usage_pct, detail = EXCLUDED.detail, updated_at = EXCLUDED.updated_at
                        """)
                .bind("platform", platform)
                .bind("scope", scope)
                .bind("usage", Math.min(999.99, Math.max(0, percent)))
                .bind("detail", detail)
                .bind("now", Timestamp.from(now))
                .execute());
    }
}
