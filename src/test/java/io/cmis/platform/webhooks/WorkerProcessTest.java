package io.cmis.platform.webhooks;

import io.cmis.platform.support.CliProcess;
import io.cmis.platform.support.CliRun;
import io.cmis.platform.support.ForwardReceiver;
import io.cmis.platform.support.PlatformTestBed;
import io.cmis.platform.support.ScalingApart;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Intake and processing scaled apart, as real processes on the embedded database: an intake-only
 * {@code serve} from its configuration file, {@code webhooks work} processes beside it, SIGTERM and
 * SIGKILL in the middle of a drain.
 */
class WorkerProcessTest {

    @Test
    void an_intake_only_serve_from_the_config_stores_and_two_worker_processes_at_once_process_each_event_once()
            throws Exception {
        try (PlatformTestBed bed = new PlatformTestBed()) {
            ScalingApart.intakeOnlyServeThenTwoWorkersDrainEachEventOnce(bed, 12);
        }
    }

    @Test
    void sigterm_mid_drain_exits_0_with_nothing_lost_and_nothing_processed_twice() throws Exception {
        try (PlatformTestBed bed = new PlatformTestBed()) {
            ScalingApart.sigtermMidDrainLosesNothingAndDoublesNothing(bed, 24);
        }
    }

    @Test
    void a_worker_killed_mid_event_leaves_its_batch_to_the_next_at_once_and_its_effect_is_recorded_once()
            throws Exception {
        try (PlatformTestBed bed = new PlatformTestBed();
             ForwardReceiver receiver = new ForwardReceiver()) {
            Map<String, String> env = ScalingApart.forwarding(bed, receiver);
            env.put("CMIS_WEBHOOKS_LEASE", "3s");
            CliProcess serve = ScalingApart.intakeOnlyServe(env);
            try {
                ScalingApart.post(ScalingApart.port(serve, java.util.regex.Pattern.compile(
                        "listening on http://127\\.0\\.0\\.1:(\\d+)")), "kill", 6);
                receiver.delay(Duration.ofSeconds(2)); // the kill lands while the event is being forwarded
                CliProcess worker = ScalingApart.work(env, "--workers", "1");
                long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
                while (receiver.received().isEmpty() && System.nanoTime() < deadline) {
                    Thread.sleep(10); // waiting for the worker to be inside a forward, not for time to pass
                }
                worker.kill();
                assertThat(ScalingApart.count(bed, "SELECT count(*) FROM cmis_platform.webhook_events "
                        + "WHERE status = 'queued' AND attempts = 0")).as("nothing of its batch recorded, all due again")
                        .isEqualTo(6);
                String inHand = receiver.received().get(0).headers().get("webhook-id");

                receiver.delay(Duration.ZERO);
                CliProcess next = ScalingApart.work(env, "--workers", "1");
                try {
                    ScalingApart.awaitProcessed(bed, 6);
                } finally {
                    next.terminate();
                    assertThat(next.finish().exitCode()).isZero();
                }
                Map<String, Long> forwards = ScalingApart.forwardsById(receiver);
                assertThat(forwards).as("every event forwarded").hasSize(6);
                assertThat(forwards.get(inHand)).as("the one in hand again, under the same webhook-id").isEqualTo(2L);
                assertThat(forwards.values().stream().filter(n -> n > 1).count()).as("only that one").isEqualTo(1);
                assertThat(ScalingApart.count(bed, "SELECT count(*) FROM cmis_platform.webhook_events "
                        + "WHERE status = 'processed' AND processed_at IS NOT NULL")).isEqualTo(6);
                assertThat(ScalingApart.count(bed, "SELECT attempts FROM cmis_platform.webhook_events WHERE id = '"
                        + inHand + "'")).as("the attempt killed left no count").isEqualTo(1);
            } finally {
                serve.kill();
            }
        }
    }

    @Test
    void webhooks_workers_takes_0_to_64_and_anything_else_is_exit_2_in_one_line() throws Exception {
        for (String bad : List.of("65", "-1", "x")) {
            CliRun.Result serve = CliRun.withoutDatabase().run("--config", config("webhooks.workers=" + bad), "serve",
                    "--port", "0");
            assertThat(serve.exitCode()).as(serve.toString()).isEqualTo(2);
            assertOneLine(serve, "webhooks.workers: '" + bad + "' must be a whole number from 0 to 64");
            CliRun.Result work = CliRun.withoutDatabase().run("--config", config("webhooks.workers=" + bad), "webhooks",
                    "work", "--port", "0");
            assertThat(work.exitCode()).as(work.toString()).isEqualTo(2);
            assertOneLine(work, "webhooks.workers: '" + bad + "' must be a whole number from 0 to 64");
        }
    }

    @Test
    void a_worker_process_without_workers_is_a_usage_error() throws Exception {
        CliRun.Result fromConfig = CliRun.withoutDatabase().run("--config", config("webhooks.workers=0"), "webhooks",
                "work");
        assertThat(fromConfig.exitCode()).as(fromConfig.toString()).isEqualTo(2);
        assertOneLine(fromConfig, "webhooks.workers is 0 (an intake-only serve); webhooks work needs at least 1");
        for (String bad : List.of("0", "65", "-1")) {
            CliRun.Result option = CliRun.withoutDatabase().run("webhooks", "work", "--workers", bad);
            assertThat(option.exitCode()).as(option.toString()).isEqualTo(2);
            assertOneLine(option, "--workers must be from 1 to 64, got " + bad);
        }
        CliRun.Result port = CliRun.withoutDatabase().run("webhooks", "work", "--port", "70000");
        assertThat(port.exitCode()).as(port.toString()).isEqualTo(2);
        assertOneLine(port, "--port must be from 0 to 65535");
        CliRun.Result pool = CliRun.withoutDatabase().env("CMIS_DATABASE_POOL_SIZE", "4")
                .run("webhooks", "work", "--workers", "8");
        assertThat(pool.exitCode()).as(pool.toString()).isEqualTo(2);
        assertOneLine(pool, "8 workers need database.pool-size of at least 9 (it is 4)");
    }

    private static void assertOneLine(CliRun.Result result, String expected) {
        assertThat(result.stderr().strip().lines().toList()).as(result.toString()).hasSize(1);
        assertThat(result.stderr()).contains(expected).doesNotContain("Exception").doesNotContain("\tat ");
    }

    private static String config(String line) throws java.io.IOException {
        Path file = Files.createTempFile("cmis-workers", ".properties");
        Files.writeString(file, line + "\n");
        return file.toString();
    }
}
