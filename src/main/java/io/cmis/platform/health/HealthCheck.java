package io.cmis.platform.health;

import io.cmis.platform.crypto.TokenVault;
import io.cmis.platform.platforms.ConnectorRegistry;
import io.cmis.platform.tenancy.Tenancy;
import io.cmis.platform.tokens.GrantExpiry;
import io.cmis.platform.tokens.Renewal;
import io.cmis.platform.tokens.SecretInventory;
import io.cmis.platform.webhooks.WebhookStats;
import org.jdbi.v3.core.Handle;

import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Evaluates health from the database alone (the system path: totals across orgs), so cron, CI,
 * {@code serve} and the dashboard all see the same thing. Thresholds come from {@code health.*}.
 */
public final class HealthCheck {
    private static final Duration STATEMENT_TIMEOUT = Duration.ofSeconds(3);
    private final Tenancy tenancy;
    private final HealthSettings settings;
    private final Clock clock;
    private final TokenVault vault;
    private final ConnectorRegistry registry;

    /**
     * {@code vault}: which key and format are current, for the secrets component; {@code registry}:
     * how each platform renews its tokens, for what counts as expiring.
     */
    public HealthCheck(Tenancy tenancy, HealthSettings settings, Clock clock, TokenVault vault,
                       ConnectorRegistry registry) {
        this.tenancy = tenancy;
        this.settings = settings;
        this.clock = clock;
        this.vault = vault;
        this.registry = registry;
    }

    public HealthReport evaluate() {
        Instant now = clock.instant();
        Map<String, Object> components = new LinkedHashMap<>();
        tenancy.systemWide("health totals", h -> {
            answerWithin(h);
            components.put("integrations", integrations(h, now));
            return null;
        });
        components.put("webhooks", webhooks(WebhookStats.read(tenancy, clock)));
        tenancy.systemWide("health of platform calls, limits and breakers", h -> {
            answerWithin(h);
            components.put("api_calls", apiCalls(h, now));
            components.put("rate_limits", rateLimits(h, now));
            components.put("circuit_breakers", breakers(h, now));
            return null;
        });
        tenancy.systemWide("health: secrets not under the active key", h -> {
            answerWithin(h);
            components.put("secrets", SecretsHealth.component(SecretInventory.notUnder(h, vault.currentPrefix()),
                    vault.activeKeyId()));
            return null;
        });
        tenancy.systemWide("health: credential reads of the last hour", h -> {
            answerWithin(h);
            components.put("credential_reads", credentialReads(h, now));
            return null;
        });
        tenancy.systemWide("health: when the scheduled jobs last left a trace", h -> {
            answerWithin(h);
            components.put("scheduled_jobs", scheduledJobs(h, now));
            return null;
        });
        HealthStatus overall = HealthStatus.HEALTHY;
        for (Object component : components.values()) {
            overall = overall.worst(HealthReport.worstOf(component));
        }
        return new HealthReport(overall, now, components);
    }

    /**
     * Reads of credentials (application API and {@code tokens get}) in the last hour, by outcome, and
     * how many refreshed a token at the platform. Informational: always healthy (a refused read is the
     * integration's state, which the integrations component already judges).
     */
    private static Map<String, Object> credentialReads(Handle h, Instant now) {
        io.cmis.platform.api.CredentialReadRepository.Counts counts =
                new io.cmis.platform.api.CredentialReadRepository(h).since(now.minus(Duration.ofHours(1)));
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("reads_last_hour", counts.total());
        counts.byOutcome().entrySet().stream().sorted(Map.Entry.comparingByKey())
                .forEach(e -> out.put(e.getKey() + "_last_hour", e.getValue()));
        out.put("refreshes_on_read_last_hour", counts.refreshed());
        out.put("health", HealthStatus.HEALTHY);
        return out;
    }

    /**
     * What tells a stopped cron from outside (Prometheus alerts on it, see config/prometheus): when a
     * sync last started, and how many UTC days after today already have their call-log partition
     * ({@code db prune} keeps 14; each day it does not run, one fewer). Informational: always healthy
     * here, because only a clock outside the database knows how old is too old.
     */
    private static Map<String, Object> scheduledJobs(Handle h, Instant now) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("last_sync_started_at", h.createQuery("SELECT max(started_at) FROM sync_runs")
                .mapTo(Timestamp.class).findOne().map(Timestamp::toInstant).orElse(null));
        java.util.Set<java.time.LocalDate> days = new java.util.HashSet<>(h.createQuery("""
                        SELECT to_date(substring(c.relname from '(\\d{8})$'), 'YYYYMMDD')
                        FROM pg_inherits i
                        JOIN pg_class c ON c.oid = i.inhrelid
                        WHERE i.inhparent = 'platform_api_calls'::regclass
                          AND c.relname ~ '^platform_api_calls_\\d{8}$'
                        """).mapTo(java.time.LocalDate.class).list());
        java.time.LocalDate day = java.time.LocalDate.ofInstant(now, java.time.ZoneOffset.UTC).plusDays(1);
        int ahead = 0;
        while (days.contains(day)) {
            ahead++;
            day = day.plusDays(1);
        }
        out.put("call_log_partitions_ahead_days", ahead);
        out.put("health", HealthStatus.HEALTHY);
        return out;
    }

    /** A health check that hangs is worse than one that says unknown: the server gives up on it too. */
    private static void answerWithin(Handle h) {
        h.createQuery("SELECT set_config('statement_timeout', :ms, true)")
                .bind("ms", Long.toString(STATEMENT_TIMEOUT.toMillis())).mapTo(String.class).one();
    }

    /**
     * Evaluates on a helper thread and gives up after {@code limit}: cron's {@code health} must end
     * (exit 3) when the database does not answer, not hang until cron's own timeout.
     */
    public static HealthReport within(Duration limit, Clock clock, java.util.function.Supplier<HealthReport> evaluation) {
        java.util.concurrent.CompletableFuture<HealthReport> running = new java.util.concurrent.CompletableFuture<>();
        Thread t = new Thread(() -> {
            try {
                running.complete(evaluation.get());
            } catch (Throwable e) {
                running.completeExceptionally(e);
            }
        }, "cmis:health-check");
        t.setDaemon(true);
        t.start();
        try {
            return running.get(limit.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            return HealthReport.unknown(clock.instant(), "the database did not answer within " + limit.toSeconds() + " s");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return HealthReport.unknown(clock.instant(), "interrupted");
        } catch (java.util.concurrent.ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new IllegalStateException(e.getCause());
        }
    }

    /**
     * A token a refresh token renews that expired longer ago than this is overdue: the hourly sweep
     * renews it before its end, so it lapsed because no sweep ran (a cron that stopped) or the
     * platform would not refresh it. The margin is for a sweep still working through its list.
     */
    static final Duration REFRESH_OVERDUE_AFTER = Duration.ofMinutes(2);

    /**
     * Refresh overdue: see {@link #REFRESH_OVERDUE_AFTER}.
     * Expiring soon is {@link GrantExpiry}, the definition {@code tokens status} shows: a grant that
     * ends within the window and that nothing renews past it (a Meta token, an import without a
     * refresh token, a refresh token with a fixed end). An access token that a refresh token renews
     * every hour is not "expiring". SQL narrows to the rows that end within the window at all.
     */
    private Map<String, Object> integrations(Handle h, Instant now) {
        Instant soon = now.plus(settings.expiringWithin());
        List<boolean[]> due = h.createQuery("""
                        SELECT platform, token_kind, status, token_expires_at, refresh_token_expires_at,
                               refresh_token_enc IS NOT NULL AS has_refresh
                        FROM integrations
                        WHERE status = 'active' AND (token_expires_at < :soon OR refresh_token_expires_at < :soon)
                        """)
                .bind("soon", Timestamp.from(soon))
                .map((rs, ctx) -> {
                    Instant expires = instant(rs.getTimestamp("token_expires_at"));
                    Renewal renewal = Renewal.of(registry.get(rs.getString("platform"))
                            .refreshMode(rs.getString("token_kind")), rs.getBoolean("has_refresh"), expires != null);
                    return new boolean[]{GrantExpiry.expiring(rs.getString("status"), renewal, expires,
                            instant(rs.getTimestamp("refresh_token_expires_at")), now, settings.expiringWithin()),
                            renewal == Renewal.REFRESH_TOKEN && expires.isBefore(now.minus(REFRESH_OVERDUE_AFTER))};
                })
                .list();
        long expiringSoon = due.stream().filter(d -> d[0]).count();
        long refreshOverdue = due.stream().filter(d -> d[1]).count();
        return h.createQuery("""
                        SELECT count(*) AS total,
                               count(*) FILTER (WHERE status = 'active') AS active,
                               count(*) FILTER (WHERE status = 'needs_reauth') AS needs_reauth,
                               count(*) FILTER (WHERE status = 'revoked') AS revoked
                        FROM integrations
                        """)
                .map((rs, ctx) -> {
                    Map<String, Object> out = new LinkedHashMap<>();
                    out.put("total", rs.getLong("total"));
                    out.put("active", rs.getLong("active"));
                    out.put("needs_reauth", rs.getLong("needs_reauth"));
                    out.put("revoked", rs.getLong("revoked"));
                    out.put("expiring_soon", expiringSoon);
                    out.put("refresh_overdue", refreshOverdue);
                    boolean attention = expiringSoon > 0 || refreshOverdue > 0 || rs.getLong("needs_reauth") > 0;
                    out.put("health", attention ? HealthStatus.WARNING : HealthStatus.HEALTHY);
                    return out;
                })
                .one();
    }

    private static Instant instant(Timestamp timestamp) {
        return timestamp == null ? null : timestamp.toInstant();
    }

    private Map<String, Object> webhooks(WebhookStats stats) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("queued", stats.queued());
        out.put("processing", stats.processing());
        out.put("pending_retries", stats.pendingRetries());
        out.put("dead_letter_queue", stats.deadLetterQueue());
        out.put("unmatched", stats.unmatched());
        out.put("oldest_queued_age_seconds", stats.oldestWaitingSeconds());
        out.put("processed_24h", stats.processed24h());
        out.put("success_rate", round(stats.successRate()));
        out.put("retry_success_rate", round(stats.retrySuccessRate()));
        HealthStatus health = HealthStatus.HEALTHY;
        if (stats.deadLetterQueue() > 0) {
            health = HealthStatus.WARNING;
        }
        if (stats.retrySuccessRate() < settings.retrySuccessCritical()
                || stats.oldestWaitingSeconds() > settings.oldestQueuedCritical().toSeconds()) {
            health = HealthStatus.CRITICAL;
        }
        out.put("health", health);
        return out;
    }

    /**
     * The last 24 hours of calls, from the five-minute rollups (migration V5), not the raw log: the
     * cost no longer grows with the traffic. A bucket counts when any of it is inside the window, so
     * the window reaches at most five minutes further back than 24 hours.
     */
    private Map<String, Object> apiCalls(Handle h, Instant now) {
        Map<String, Map<String, Object>> byPlatform = new LinkedHashMap<>();
        // One pass over the window's buckets: the histogram summed element by element.
        h.createQuery("""
                        SELECT platform, sum(calls) AS total,
                               coalesce(sum(calls) FILTER (WHERE outcome = 'success'), 0) AS succeeded,
                               coalesce(sum(calls) FILTER (WHERE outcome IN ('transient', 'permanent', 'token',
                                                                            'configuration')), 0) AS failed,
                               coalesce(sum(calls) FILTER (WHERE outcome = 'configuration'), 0) AS configuration,
                               -- The application's own calls through serve's proxy (their label starts so).
                               coalesce(sum(calls) FILTER (WHERE endpoint LIKE 'proxy:%'), 0) AS proxied,
                               -- Refused configuration counts until a later bucket holds a success.
                               coalesce(max(bucket) FILTER (WHERE outcome = 'configuration')
                                        >= max(bucket) FILTER (WHERE outcome = 'success'), true) AS still_refused,
                               sum(duration_ms_sum) AS duration_sum,
                               ARRAY[sum(latency[1]), sum(latency[2]), sum(latency[3]), sum(latency[4]),
                                     sum(latency[5]), sum(latency[6]), sum(latency[7]), sum(latency[8]),
                                     sum(latency[9]), sum(latency[10]), sum(latency[11])]::bigint[] AS latency
                        FROM platform_call_rollups
                        WHERE bucket > :since
                        GROUP BY platform
                        """)
                .bind("since", Timestamp.from(now.minus(Duration.ofHours(24)).minus(ROLLUP_BUCKET)))
                .map((rs, ctx) -> {
                    long total = rs.getLong("total");
                    long failed = rs.getLong("failed");
                    Long[] latency = (Long[]) rs.getArray("latency").getArray();
                    Map<String, Object> p = new LinkedHashMap<>();
                    p.put("total", total);
                    p.put("success_rate", round(total == 0 ? 1.0 : rs.getLong("succeeded") / (double) total));
                    p.put("avg_duration_ms", total == 0 ? 0 : Math.round(rs.getLong("duration_sum") / (double) total));
                    p.put("p95_duration_ms", Math.round(LatencyHistogram.quantile(
                            java.util.Arrays.stream(latency).mapToLong(Long::longValue).toArray(), 0.95)));
                    p.put("failed", failed);
                    p.put("proxied", rs.getLong("proxied"));
                    p.put("health", failed > settings.failedCallsWarning() ? HealthStatus.WARNING : HealthStatus.HEALTHY);
                    if (rs.getLong("configuration") > 0 && rs.getBoolean("still_refused")) {
                        p.put("configuration_errors", rs.getLong("configuration"));
                        p.put("health", HealthStatus.CRITICAL);
                    }
                    return Map.entry(rs.getString("platform"), p);
                })
                .forEach(e -> byPlatform.put(e.getKey(), e.getValue()));
        byPlatform.forEach((platform, p) -> {
            if (p.containsKey("configuration_errors")) {
                p.put("fix", configurationFix(h, platform));
            }
        });
        Map<String, Object> out = new LinkedHashMap<>();
        for (String platform : ConnectorRegistry.knownIds()) {
            out.put(platform, byPlatform.getOrDefault(platform, noCalls()));
        }
        return out;
    }

    /**
     * What to change, from the last refused call's code (the raw log's newest row for the platform;
     * read only when the rollups show a refusal).
     */
    private static String configurationFix(Handle h, String platform) {
        String code = h.createQuery("""
                        SELECT coalesce(error_code, '') FROM platform_api_calls
                        WHERE platform = :platform AND outcome = 'configuration'
                        ORDER BY called_at DESC LIMIT 1""")
                .bind("platform", platform).mapTo(String.class).findOne().orElse("");
        if (code.equals("NONEXISTENT_VERSION") || code.equals("VERSION_MISSING")) {
            return platform + " no longer serves the configured API version (" + code + "): set " + platform
                    + ".api-version to a version it still serves and run again";
        }
        return platform + " refused this installation's configuration (" + (code.isEmpty() ? "no code" : code)
                + "): check the " + platform + ".* keys (config show) and run again";
    }

    /** The width of a rollup bucket (migration V5). */
    private static final Duration ROLLUP_BUCKET = Duration.ofMinutes(5);

    private static Map<String, Object> noCalls() {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("total", 0L);
        p.put("success_rate", 1.0);
        p.put("avg_duration_ms", 0L);
        p.put("p95_duration_ms", 0L);
        p.put("failed", 0L);
        p.put("proxied", 0L);
        p.put("health", HealthStatus.HEALTHY);
        return p;
    }

    @SuppressWarnings("unchecked")
    private Map<String, Object> rateLimits(Handle h, Instant now) {
        Map<String, Object> out = new LinkedHashMap<>();
        for (String platform : ConnectorRegistry.knownIds()) {
            out.put(platform, h.createQuery("""
                            SELECT coalesce(max(usage_pct), 0) AS usage_pct,
                                   count(*) FILTER (WHERE limited_until > :now) AS limited_scopes,
                                   max(limited_until) FILTER (WHERE limited_until > :now) AS limited_until
                            FROM rate_limits WHERE platform = :platform
                            """)
                    .bind("platform", platform)
                    .bind("now", Timestamp.from(now))
                    .map((rs, ctx) -> {
                        Map<String, Object> p = new LinkedHashMap<>();
                        double usage = rs.getDouble("usage_pct");
                        long limited = rs.getLong("limited_scopes");
                        Timestamp until = rs.getTimestamp("limited_until");
                        p.put("usage_pct", usage);
                        p.put("limited_scopes", limited);
                        p.put("limited_until", until == null ? null : until.toInstant());
                        p.put("health", limited > 0 || usage >= settings.rateLimitWarningPct() ? HealthStatus.WARNING
                                : HealthStatus.HEALTHY);
                        return p;
                    })
                    .one());
            ((Map<String, Object>) out.get(platform)).put("limited", limitedNow(h, platform, now));
        }
        return out;
    }

    /** Which scopes are limited now and until when (the first few, soonest free last): what an operator acts on. */
    private static List<Map<String, Object>> limitedNow(Handle h, String platform, Instant now) {
        return h.createQuery("""
                        SELECT scope, limited_until, detail FROM rate_limits
                        WHERE platform = :platform AND limited_until > :now
                        ORDER BY limited_until DESC LIMIT 20
                        """)
                .bind("platform", platform)
                .bind("now", Timestamp.from(now))
                .map((rs, ctx) -> {
                    Map<String, Object> row = new LinkedHashMap<>();
                    row.put("scope", rs.getString("scope"));
                    row.put("limited_until", rs.getTimestamp("limited_until").toInstant());
                    row.put("error", rs.getString("detail"));
                    return row;
                })
                .list();
    }

    private Map<String, Object> breakers(Handle h, Instant now) {
        Map<String, Object> out = new LinkedHashMap<>();
        for (String platform : ConnectorRegistry.knownIds()) {
            Map<String, Object> p = h.createQuery("""
                            SELECT state, opened_at, opened_at + make_interval(secs => wait_seconds) AS open_until,
                                   updated_at, last_failure
                            FROM circuit_breakers WHERE platform = :platform
                            """)
                    .bind("platform", platform)
                    .map((rs, ctx) -> {
                        Map<String, Object> row = new LinkedHashMap<>();
                        String state = rs.getString("state");
                        row.put("state", state);
                        Timestamp opened = rs.getTimestamp("opened_at");
                        row.put("since", (state.equals("closed") || opened == null ? rs.getTimestamp("updated_at")
                                : opened).toInstant());
                        Timestamp until = rs.getTimestamp("open_until");
                        row.put("open_until", state.equals("open") && until != null ? until.toInstant() : null);
                        row.put("last_failure", rs.getString("last_failure"));
                        row.put("health", switch (state) {
                            case "open" -> HealthStatus.CRITICAL;
                            case "half_open" -> HealthStatus.WARNING;
                            default -> HealthStatus.HEALTHY;
                        });
                        return row;
                    })
                    .findOne()
                    .orElseGet(() -> {
                        Map<String, Object> row = new LinkedHashMap<>();
                        row.put("state", "closed");
                        row.put("since", null);
                        row.put("health", HealthStatus.HEALTHY);
                        return row;
                    });
            out.put(platform, p);
        }
        return out;
    }

    private static double round(double rate) {
        return Math.round(rate * 10_000) / 10_000.0;
    }
}
