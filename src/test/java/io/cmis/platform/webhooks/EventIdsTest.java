package io.cmis.platform.webhooks;

import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.Set;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

class EventIdsTest {
    @Test
    void ids_are_version_7_ordered_by_time_and_distinct() {
        long ms = 1_767_225_600_000L;
        Set<UUID> seen = new HashSet<>();
        for (int i = 0; i < 10_000; i++) {
            UUID id = EventIds.next(ms);
            assertThat(id.version()).isEqualTo(7);
            assertThat(id.variant()).isEqualTo(2);
            assertThat(id.getMostSignificantBits() >>> 16).isEqualTo(ms);
            seen.add(id);
        }
        assertThat(seen).hasSize(10_000);
        assertThat(EventIds.next(ms + 1).toString()).isGreaterThan(EventIds.next(ms).toString());
    }
}
