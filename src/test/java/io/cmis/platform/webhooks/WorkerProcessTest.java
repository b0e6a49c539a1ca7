package io.cmis.platform.webhooks;

import io.cmis.platform.support.CliRun;
import io.cmis.platform.support.PlatformTestBed;
import io.cmis.platform.support.ScalingApart;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

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
        try (PlatformTestBed bed = new PlatformTestBed()) {
            ScalingApart.killedMidForwardLeavesItsBatchDueAtOnce(bed);
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
