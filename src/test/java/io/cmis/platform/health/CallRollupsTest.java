package io.cmis.platform.health;

import com.fasterxml.jackson.databind.JsonNode;
import io.cmis.platform.cli.Json;
import io.cmis.platform.http.ApiCallLog;
import io.cmis.platform.support.PlatformTestBed;
import org.junit.jupiter.api.Test;

import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The five-minute rollups equal the raw calls they summarise, across bucket boundaries, whoever
 * writes the calls (the call log's batches, or any other INSERT), in the suite's odd time zone
 * (Pacific/Chatham, UTC+12:45 or +13:45, so a local hour is not a UTC hour); and health reads them.
 */
class CallRollupsTest {
    private static final String[] PLATFORMS = {"meta", "google"};
    private static final String[] ENDPOINTS = {"/me/accounts", "/{id}/insights", "/customers:listAccessible"};
    private static final String[] OUTCOMES = {"success", "success", "success", "transient", "rate_limited", "token"};

    private record Key(Instant bucket, String platform, String endpoint, String outcome) {
    }

    @org.junit.jupiter.params.ParameterizedTest(name = "on PostgreSQL 15 through PgBouncer: {0}")
    @org.junit.jupiter.params.provider.ValueSource(booleans = {false, true})
    void rollups_equal_the_raw_calls_and_health_reads_counts_rates_and_p95_from_them(boolean production)
            throws Exception {
        try (PlatformTestBed bed = production ? PlatformTestBed.onProductionDatabase(true) : new PlatformTestBed()) {
            Instant now = bed.clock.instant();
            Random random = new Random(42);
            List<ApiCallLog.ApiCall> calls = new ArrayList<>();
            // 40 minutes before now, with calls exactly on, just before and just after bucket edges,
            // and durations exactly on the histogram's bounds.
            Instant start = now.minus(Duration.ofMinutes(40));
            for (int i = 0; i < 2_500; i++) {
                Instant at = switch (i % 5) {
                    case 0 -> start.plus(Duration.ofMinutes(5L * (i % 8)));
                    case 1 -> start.plus(Duration.ofMinutes(5L * (i % 8))).minusMillis(1);
                    default -> start.plusMillis(random.nextInt(40 * 60_000));
                };
                long ms = i % 7 == 0 ? LatencyHistogram.LOWER_BOUNDS_MS[i % LatencyHistogram.LOWER_BOUNDS_MS.length]
                        : (long) Math.exp(random.nextDouble() * Math.log(15_000));
                calls.add(new ApiCallLog.ApiCall(null, null, PLATFORMS[i % 2], "GET", ENDPOINTS[i % 3], 200,
                        OUTCOMES[random.nextInt(OUTCOMES.length)], null, ms, at));
            }
            ApiCallLog log = new ApiCallLog(bed.tenancy());
            calls.subList(0, 2_000).forEach(log::record);
            log.close();
            // The rest as another writer would: plain multi-row INSERTs.
            bed.jdbi.useHandle(h -> {
                for (ApiCallLog.ApiCall c : calls.subList(2_000, calls.size())) {
                    h.execute("""
                            INSERT INTO cmis_platform.platform_api_calls (platform, method, endpoint, status_code,
                                outcome, duration_ms, called_at) VALUES (?, 'GET', ?, 200, ?, ?, ?)""",
                            c.platform(), c.endpoint(), c.outcome(), (int) c.durationMillis(),
                            Timestamp.from(c.calledAt()));
                }
            });

            Map<Key, long[]> expected = new HashMap<>();
            for (ApiCallLog.ApiCall c : calls) {
                Instant bucket = Instant.ofEpochSecond(Math.floorDiv(c.calledAt().getEpochSecond(), 300) * 300);
                long[] row = expected.computeIfAbsent(new Key(bucket, c.platform(), c.endpoint(), c.outcome()),
                        k -> new long[2 + LatencyHistogram.BUCKETS]);
                row[0]++;
                row[1] += c.durationMillis();
                row[2 + bucketOf(c.durationMillis())]++;
            }
            Map<Key, long[]> actual = new HashMap<>();
            bed.jdbi.useHandle(h -> h.createQuery("""
                            SELECT bucket, platform, endpoint, outcome, calls, duration_ms_sum, latency
                            FROM cmis_platform.platform_call_rollups""")
                    .map((rs, ctx) -> {
                        Long[] latency = (Long[]) rs.getArray("latency").getArray();
                        long[] row = new long[2 + latency.length];
                        row[0] = rs.getLong("calls");
                        row[1] = rs.getLong("duration_ms_sum");
                        for (int i = 0; i < latency.length; i++) {
                            row[2 + i] = latency[i];
                        }
                        return actual.put(new Key(rs.getTimestamp("bucket").toInstant(), rs.getString("platform"),
                                rs.getString("endpoint"), rs.getString("outcome")), row);
                    })
                    .list());
            assertThat(actual.keySet()).isEqualTo(expected.keySet());
            expected.forEach((key, row) -> assertThat(actual.get(key)).as(key.toString()).containsExactly(row));

            JsonNode health = Json.MAPPER.readTree(bed.cli().run("--json", "health").stdout());
            for (String platform : PLATFORMS) {
                List<ApiCallLog.ApiCall> mine = calls.stream().filter(c -> c.platform().equals(platform)).toList();
                long failed = mine.stream().filter(c -> List.of("transient", "permanent", "token")
                        .contains(c.outcome())).count();
                long succeeded = mine.stream().filter(c -> c.outcome().equals("success")).count();
                JsonNode p = health.at("/components/api_calls/" + platform);
                assertThat(p.get("total").asLong()).isEqualTo(mine.size());
                assertThat(p.get("failed").asLong()).isEqualTo(failed);
                assertThat(p.get("success_rate").asDouble())
                        .isCloseTo(succeeded / (double) mine.size(), org.assertj.core.data.Offset.offset(0.001));
                assertThat(p.get("avg_duration_ms").asLong()).isEqualTo(Math.round(
                        mine.stream().mapToLong(ApiCallLog.ApiCall::durationMillis).average().orElse(0)));
                double exact = bed.jdbi.withHandle(h -> h.createQuery("""
                        SELECT percentile_cont(0.95) WITHIN GROUP (ORDER BY duration_ms)
                        FROM cmis_platform.platform_api_calls WHERE platform = ?""").bind(0, platform)
                        .mapTo(Double.class).one());
                long read = p.get("p95_duration_ms").asLong();
                assertThat(bucketOf(read)).as("p95 %d ms read from the histogram, exact %.1f ms", read, exact)
                        .isIn(bucketOf((long) Math.floor(exact)), bucketOf((long) Math.ceil(exact)));
            }
        }
    }

    @Test
    void a_call_outside_the_24_hour_window_is_not_counted_and_one_inside_is() throws Exception {
        try (PlatformTestBed bed = new PlatformTestBed()) {
            Instant now = bed.clock.instant();
            bed.jdbi.useHandle(h -> {
                for (Duration ago : List.of(Duration.ofHours(25), Duration.ofHours(24).plusMinutes(6),
                        Duration.ofHours(23).plusMinutes(59), Duration.ofMinutes(1))) {
                    h.execute("""
                            INSERT INTO cmis_platform.platform_api_calls (platform, method, endpoint, status_code,
                                outcome, duration_ms, called_at) VALUES ('tiktok', 'GET', '/x', 500, 'transient', 40, ?)""",
                            Timestamp.from(now.minus(ago)));
                }
            });
            JsonNode health = Json.MAPPER.readTree(bed.cli().run("--json", "health").stdout());
            assertThat(health.at("/components/api_calls/tiktok/failed").asInt()).isEqualTo(2);
        }
    }

    private static int bucketOf(long ms) {
        int i = 0;
        while (i < LatencyHistogram.LOWER_BOUNDS_MS.length && ms >= LatencyHistogram.LOWER_BOUNDS_MS[i]) {
            i++;
        }
        return i;
    }
}
