package io.cmis.platform.health;

import io.cmis.platform.platforms.ConnectorRegistry;
import io.cmis.platform.tenancy.Tenancy;

import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** What the dashboard shows beyond the health report: hourly call series, re-auth list, latest dead letters. */
public final class DashboardData {
    /** One hour of one platform's calls. */
    public record Hour(Instant start, long calls, long succeeded, double avgMillis) {
        public double successRate() {
            return calls == 0 ? 1.0 : succeeded / (double) calls;
        }
    }

    public record Reauth(UUID id, UUID orgId, String platform, String account, String reason, Instant since) {
    }

    public record DeadLetter(UUID id, String platform, String eventType, int attempts, String error, Instant received) {
    }

    public record Snapshot(Map<String, List<Hour>> hours, List<Reauth> reauth, List<DeadLetter> deadLetters) {
    }

    private final Tenancy tenancy;
    private final Clock clock;

    public DashboardData(Tenancy tenancy, Clock clock) {
        this.tenancy = tenancy;
        this.clock = clock;
    }

    public Snapshot read() {
        Instant now = clock.instant();
        Instant first = now.truncatedTo(ChronoUnit.HOURS).minus(Duration.ofHours(23));
        return tenancy.systemWide("dashboard", h -> {
            Map<String, Map<Instant, Hour>> found = new LinkedHashMap<>();
            h.createQuery("""
                            SELECT platform, date_trunc('hour', bucket, 'UTC') AS hour, sum(calls) AS calls,
                                   coalesce(sum(calls) FILTER (WHERE outcome = 'success'), 0) AS succeeded,
                                   sum(duration_ms_sum)::float8 / sum(calls) AS avg_ms
                            FROM platform_call_rollups WHERE bucket >= :first
                            GROUP BY 1, 2
                            """)
                    .bind("first", Timestamp.from(first))
                    .map((rs, ctx) -> {
                        Instant hour = rs.getTimestamp("hour").toInstant();
                        return found.computeIfAbsent(rs.getString("platform"), p -> new LinkedHashMap<>()).put(hour,
                                new Hour(hour, rs.getLong("calls"), rs.getLong("succeeded"), rs.getDouble("avg_ms")));
                    })
                    .list();
            Map<String, List<Hour>> hours = new LinkedHashMap<>();
            for (String platform : ConnectorRegistry.knownIds()) {
                Map<Instant, Hour> byHour = found.getOrDefault(platform, Map.of());
                hours.put(platform, java.util.stream.IntStream.range(0, 24)
                        .mapToObj(i -> first.plus(Duration.ofHours(i)))
                        .map(hour -> byHour.getOrDefault(hour, new Hour(hour, 0, 0, 0)))
                        .toList());
            }
            List<Reauth> reauth = h.createQuery("""
                            SELECT id, org_id, platform, coalesce(account_name, external_account_id) AS account,
                                   status_reason, updated_at
                            FROM integrations WHERE status = 'needs_reauth'
                            ORDER BY updated_at DESC LIMIT 20
                            """)
                    .map((rs, ctx) -> new Reauth(rs.getObject("id", UUID.class), rs.getObject("org_id", UUID.class),
                            rs.getString("platform"), rs.getString("account"), rs.getString("status_reason"),
                            rs.getTimestamp("updated_at").toInstant()))
                    .list();
            List<DeadLetter> dead = h.createQuery("""
                            SELECT id, platform, event_type, attempts, last_error, received_at
                            FROM webhook_events WHERE status = 'dead'
                            ORDER BY received_at DESC LIMIT 10
                            """)
                    .map((rs, ctx) -> new DeadLetter(rs.getObject("id", UUID.class), rs.getString("platform"),
                            rs.getString("event_type"), rs.getInt("attempts"), rs.getString("last_error"),
                            rs.getTimestamp("received_at").toInstant()))
                    .list();
            return new Snapshot(hours, reauth, dead);
        });
    }
}
