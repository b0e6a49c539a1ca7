package io.cmis.platform.http;

import io.cmis.platform.platforms.RateLimitExceededException;
import io.cmis.platform.support.PlatformTestBed;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The limited scopes each process keeps in memory: a limit this process records holds at once, one
 * another process records within {@link RateLimitStore#CACHE}, and a platform with more limited
 * scopes than a snapshot holds is still obeyed scope by scope.
 */
class RateLimitStoreTest {
    @Test
    void a_limit_recorded_here_holds_at_once_and_one_recorded_by_another_process_within_the_cache_time() {
        try (PlatformTestBed bed = new PlatformTestBed()) {
            RateLimitStore here = new RateLimitStore(bed.tenancy(), bed.clock);
            RateLimitStore elsewhere = new RateLimitStore(bed.tenancy(), bed.clock);
            Instant now = bed.clock.instant();
            assertThat(here.limitedUntil("tiktok", List.of("advertiser:1", "advertiser:2")))
                    .containsEntry("advertiser:1", Optional.empty()).containsEntry("advertiser:2", Optional.empty());

            Instant mine = here.limit("tiktok", RateLimitExceededException.Limit.fixed("advertiser:1",
                    Duration.ofMinutes(5)), "40100", now);
            Instant theirs = elsewhere.limit("tiktok", RateLimitExceededException.Limit.fixed("advertiser:2",
                    Duration.ofMinutes(5)), "40100", now);

            Map<String, Optional<Instant>> seen = here.limitedUntil("tiktok", List.of("advertiser:1", "advertiser:2"));
            assertThat(seen.get("advertiser:1")).as("this process's own limit, at once").contains(mine);
            assertThat(seen.get("advertiser:2")).as("another process's, not before the snapshot is re-read").isEmpty();

            bed.clock.advance(RateLimitStore.CACHE);
            seen = here.limitedUntil("tiktok", List.of("advertiser:1", "advertiser:2"));
            assertThat(seen.get("advertiser:1")).contains(mine);
            assertThat(seen.get("advertiser:2")).as("within the cache time").contains(theirs);
            assertThat(here.limitedUntil("meta", List.of("advertiser:2")).get("advertiser:2"))
                    .as("a scope of another platform is another scope").isEmpty();

            bed.clock.advance(Duration.ofMinutes(5));
            assertThat(here.limitedUntil("tiktok", List.of("advertiser:1", "advertiser:2")).values())
                    .as("both ended").allMatch(until -> until.isEmpty() || !until.get().isAfter(bed.clock.instant()));
        }
    }

    @Test
    void more_limited_scopes_than_a_snapshot_holds_are_read_one_call_at_a_time_and_still_obeyed() {
        try (PlatformTestBed bed = new PlatformTestBed()) {
            Instant until = bed.clock.instant().plus(Duration.ofHours(1));
            bed.tenancy().systemWide("test: many limited scopes", h -> h.createUpdate("""
                            INSERT INTO rate_limits (platform, scope, limited_until, detail, updated_at, strikes)
                            SELECT 'meta', 'ad_account:act_' || n, :until, 'test', :until, 1
                            FROM generate_series(1, :count) n
                            """)
                    .bind("until", java.sql.Timestamp.from(until))
                    .bind("count", RateLimitStore.SNAPSHOT_MAX + 1).execute());
            RateLimitStore store = new RateLimitStore(bed.tenancy(), bed.clock);

            Map<String, Optional<Instant>> seen = store.limitedUntil("meta",
                    List.of("ad_account:act_" + (RateLimitStore.SNAPSHOT_MAX + 1), "ad_account:act_0"));

            assertThat(seen.get("ad_account:act_" + (RateLimitStore.SNAPSHOT_MAX + 1))).contains(until);
            assertThat(seen.get("ad_account:act_0")).isEmpty();
        }
    }
}
