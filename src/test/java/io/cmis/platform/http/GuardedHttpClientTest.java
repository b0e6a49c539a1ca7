package io.cmis.platform.http;

import io.cmis.platform.crypto.Secret;
import io.cmis.platform.platforms.CallContext;
import io.cmis.platform.platforms.TransientPlatformException;
import io.cmis.platform.platforms.UnsupportedPlatformException;
import io.cmis.platform.support.PlatformTestBed;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class GuardedHttpClientTest {
    @Test
    void a_slow_platform_times_out_as_a_transient_failure_and_is_tried_three_times() {
        try (PlatformTestBed bed = new PlatformTestBed(Map.of("CMIS_HTTP_TIMEOUT", "300ms"))) {
            bed.sandbox.meta().latency(Duration.ofMillis(1500));
            CallContext context = new CallContext(UUID.randomUUID(), UUID.randomUUID(), "user",
                    Secret.of(bed.sandbox.meta().issueLongLivedToken()), null);

            assertThatThrownBy(() -> bed.registry().get("meta").identify(context))
                    .isInstanceOf(TransientPlatformException.class)
                    .satisfies(e -> assertThat(((TransientPlatformException) e).errorCode()).isEqualTo("timeout"));
            assertThat(bed.sleeps).hasSize(2);
        }
    }

    @Test
    void an_unknown_platform_names_the_known_ones() {
        try (PlatformTestBed bed = new PlatformTestBed()) {
            assertThatThrownBy(() -> bed.registry().get("myspace"))
                    .isInstanceOf(UnsupportedPlatformException.class)
                    .hasMessage("unknown platform 'myspace'; known platforms: meta, google, tiktok, snapchat, linkedin, x");
        }
    }

    @Test
    void backoff_is_jittered_exponential_capped_and_honours_retry_after() {
        RetryPolicy policy = new RetryPolicy(3, Duration.ofMillis(500), Duration.ofSeconds(10), new Random(1), d -> { });

        for (int i = 0; i < 50; i++) {
            assertThat(policy.delayAfter(1, Optional.empty()).orElseThrow()).isBetween(Duration.ZERO, Duration.ofMillis(500));
            assertThat(policy.delayAfter(2, Optional.empty()).orElseThrow()).isBetween(Duration.ZERO, Duration.ofMillis(1000));
        }
        assertThat(policy.delayAfter(3, Optional.empty())).as("three attempts in all").isEmpty();
        assertThat(policy.delayAfter(1, Optional.of(Duration.ofSeconds(4)))).contains(Duration.ofSeconds(4));
        assertThat(policy.delayAfter(1, Optional.of(Duration.ofMinutes(5)))).as("too long to wait for").isEmpty();
    }
}
