package io.cmis.platform.concurrent;

import com.fasterxml.jackson.databind.JsonNode;
import io.cmis.platform.cli.Json;
import io.cmis.platform.support.CliProcess;
import io.cmis.platform.support.CliRun;
import io.cmis.platform.support.PlatformTestBed;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/** A token sweep killed while it holds integrations locked leaves nothing locked; the next run does the work. */
class KilledSweepTest {
    @Test
    void the_next_sweep_after_a_kill_refreshes_everything_the_killed_one_held() throws Exception {
        try (PlatformTestBed bed = new PlatformTestBed()) {
            CliRun cli = bed.cli();
            String org = UUID.randomUUID().toString();
            for (int i = 0; i < 5; i++) {
                String[] tokens = bed.sandbox.google().issueTokens();
                cli.run("integrations", "add", "google", "--org", org, "--access-token", tokens[0],
                        "--refresh-token", tokens[1], "--expires-in", "600", "--external-id", "acct-" + i).ok();
            }
            Map<String, String> env = bed.processEnvironment();
            bed.sandbox.google().latency(Duration.ofSeconds(3));

            CliProcess sweep = CliProcess.start(env, "tokens", "refresh");
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (bed.sandbox.google().requests("/token") == 0 && System.nanoTime() < deadline) {
                Thread.sleep(20); // waiting for the child to be inside a refresh, not for time to pass
            }
            assertThat(bed.sandbox.google().requests("/token")).as("the sweep reached the platform").isPositive();
            sweep.kill();
            bed.sandbox.google().latency(Duration.ZERO);

            JsonNode next = Json.MAPPER.readTree(cli.run("--json", "tokens", "refresh").ok().stdout());

            assertThat(next.get("succeeded").asInt()).as("nothing was left locked").isEqualTo(5);
            List<Integer> counts = bed.jdbi.withHandle(h -> h.createQuery(
                    "SELECT refresh_count FROM cmis_platform.integrations").mapTo(Integer.class).list());
            assertThat(counts).hasSize(5).containsOnly(1);
        }
    }
}
