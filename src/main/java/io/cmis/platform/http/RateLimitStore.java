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

    private record Cached(Optional<Instant> until, Instant readAt) {
    }

    private final Tenancy tenancy;
    private final java.time.Clock clock;
    private final java.util.Map<String, Cached> cache = new java.util.concurrent.ConcurrentHashMap<>();

    public RateLimitStore(Tenancy tenancy, java.time.Clock clock) {
        this.tenancy = tenancy;
        this.clock = clock;
    }

    public Optional<Instant> limitedUntil(String platform, String scope) {
        Instant now = clock.instant();
        Cached cached = cache.get(platform + "|" + scope);
        if (cached != null && !now.isBefore(cached.readAt()) && now.isBefore(cached.readAt().plus(CACHE))) {
            return cached.until();
        }
        Optional<Instant> until = read(platform, scope);
        cache.put(platform + "|" + scope, new Cached(until, now));
        return until;
    }

    /**
     * {@link #limitedUntil(String, String)} of several scopes at once: those not cached are read in one
     * statement, so a call's scopes cost one round trip, not one each.
     */
    public Map<String, Optional<Instant>> limitedUntil(String platform, java.util.List<String> scopes) {
        Instant now = clock.instant();
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
            for (String scope : missing) {
                Optional<Instant> until = Optional.ofNullable(found.get(scope));
                cache.put(platform + "|" + scope, new Cached(until, now));
                out.put(scope, until);
            }
        }
        return out;
    }

    private Optional<Instant> read(String platform, String scope) {
        return tenancy.systemWide("read the rate-limit state of a platform scope", h -> h.createQuery("""
                        SELECT limited_until FROM rate_limits WHERE platform = :platform AND scope = :scope
                        """)
                .bind("platform", platform)
                .bind("scope", scope)
                .mapTo(Timestamp.class)
                .findOne()
                .map(Timestamp::toInstant));
    }

    /**
     * Records that the limit's scope may not be called for its wait (keeping a later existing limit).
     * A growing limit that comes back within twice its longest wait of the last one waits twice as
     * long as before, up to that longest wait. Returns until when the scope is limited.
     */
    public Instant limit(String platform, RateLimitExceededException.Limit limit, String detail, Instant now) {
        cache.remove(platform + "|" + limit.scope());
        return tenancy.systemWide("record a rate limit", h -> {
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
