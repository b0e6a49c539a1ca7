package io.cmis.platform.production;

import io.cmis.platform.support.CliProcess;
import io.cmis.platform.support.CliRun;
import io.cmis.platform.support.ForwardReceiver;
import io.cmis.platform.support.PlatformTestBed;
import io.cmis.platform.support.ProductionPostgres;
import io.cmis.platform.support.ScalingApart;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Intake and processing scaled apart on production's topology (Debian's PostgreSQL 15 through
 * PgBouncer in transaction mode): an intake-only {@code serve}, {@code webhooks work} processes beside
 * it, SIGTERM mid-drain, {@code kill -9} mid-forward, and a database restart under a running worker process.
 */
class WorkerProcessesOnProductionBedTest {

    @Test
    void an_intake_only_serve_stores_and_two_worker_processes_at_once_process_each_event_once() throws Exception {
        try (PlatformTestBed bed = PlatformTestBed.onProductionDatabase(true)) {
            ScalingApart.intakeOnlyServeThenTwoWorkersDrainEachEventOnce(bed, 12);
        }
    }

    @Test
    void a_worker_killed_mid_forward_leaves_its_batch_due_at_once_through_pgbouncer() throws Exception {
        try (PlatformTestBed bed = PlatformTestBed.onProductionDatabase(true)) {
            ScalingApart.killedMidForwardLeavesItsBatchDueAtOnce(bed);
        }
    }

    @Test
    void sigterm_mid_drain_exits_0_with_nothing_lost_and_nothing_processed_twice() throws Exception {
        try (PlatformTestBed bed = PlatformTestBed.onProductionDatabase(true)) {
            ScalingApart.sigtermMidDrainLosesNothingAndDoublesNothing(bed, 24);
        }
    }

    @Test
    void a_worker_process_rides_out_a_database_restart_and_finishes_the_queue_without_being_restarted()
            throws Exception {
        ProductionPostgres pg = ProductionPostgres.get();
        try (PlatformTestBed bed = PlatformTestBed.onProductionDatabase(true);
             ForwardReceiver receiver = new ForwardReceiver()) {
            Map<String, String> env = ScalingApart.forwarding(bed, receiver);
            env.put("CMIS_WEBHOOKS_LEASE", "5s");
            CliProcess serve = ScalingApart.intakeOnlyServe(env);
            int events = 30;
            ScalingApart.post(ScalingApart.port(serve, java.util.regex.Pattern.compile(
                    "listening on http://127\\.0\\.0\\.1:(\\d+)")), "restart", events);
            serve.kill();
            receiver.delay(Duration.ofMillis(200));
            CliProcess worker = ScalingApart.work(env, "--workers", "2");
            try {
                long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
                while (receiver.received().size() < 3 && System.nanoTime() < deadline) {
                    Thread.sleep(10); // waiting for the drain to be under way, not for time to pass
                }
                pg.stopServer();
                Thread.sleep(3_000); // the outage: the workers meet it in the middle of their batches
                assertThat(ScalingApart.get(ScalingApart.livePort(worker), "/health/live").statusCode())
                        .as("every loop runs while the database is down").isEqualTo(200);
                pg.startServer();
                receiver.delay(Duration.ZERO);
                ScalingApart.awaitProcessed(bed, events);
                assertThat(worker.process().isAlive()).as("resumed by itself: " + worker.output()).isTrue();
                assertThat(ScalingApart.get(ScalingApart.livePort(worker), "/health/live").statusCode()).isEqualTo(200);
                assertThat(ScalingApart.forwardsById(receiver)).as("every event forwarded").hasSize(events);
            } finally {
                worker.terminate();
                CliRun.Result stopped = worker.finish();
                assertThat(stopped.exitCode()).as(stopped.stdout()).isZero();
            }
        }
    }
}
