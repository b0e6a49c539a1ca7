package io.cmis.platform.config;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DurationsTest {
    @Test
    void parses_the_units_operators_write() {
        assertThat(Durations.parse("90s")).isEqualTo(Duration.ofSeconds(90));
        assertThat(Durations.parse("10m")).isEqualTo(Duration.ofMinutes(10));
        assertThat(Durations.parse("24h")).isEqualTo(Duration.ofHours(24));
        assertThat(Durations.parse("30d")).isEqualTo(Duration.ofDays(30));
        assertThat(Durations.parse("250ms")).isEqualTo(Duration.ofMillis(250));
    }

    @Test
    void refuses_anything_else_with_an_example() {
        assertThatThrownBy(() -> Durations.parse("1 hour")).hasMessageContaining("e.g. 90s");
        assertThatThrownBy(() -> Durations.parse("-5s")).hasMessageContaining("not a duration");
        assertThatThrownBy(() -> Durations.parse("5")).hasMessageContaining("not a duration");
    }

    @Test
    void formats_in_the_largest_whole_unit() {
        assertThat(Durations.format(Duration.ofDays(30))).isEqualTo("30d");
        assertThat(Durations.format(Duration.ofHours(24))).isEqualTo("1d");
        assertThat(Durations.format(Duration.ofMinutes(90))).isEqualTo("90m");
        assertThat(Durations.format(Duration.ofSeconds(61))).isEqualTo("61s");
    }
}
