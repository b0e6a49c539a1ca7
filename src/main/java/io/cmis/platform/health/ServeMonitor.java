package io.cmis.platform.health;

import io.cmis.platform.http.ApiCallLog;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Health inside {@code serve}: evaluated every minute (alerting on changes, so detection needs no
 * cron), on demand for {@code /health/integrations} and the dashboard (at most every few seconds),
 * and the Prometheus registry behind {@code /metrics}: the health gauges, intake and processing
 * counters, the latency of serve's own platform calls, and the JVM.
 */
public final class ServeMonitor implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ServeMonitor.class);
    /** A report is served again only this long; it says how old it is (HealthReport#documentAt). */
    private static final Duration FRESH = Duration.ofSeconds(2);
    /** An evaluation the database does not finish by then answers unknown (a load balancer waits about 5 s). */
    static final Duration ANSWER_WITHIN = Duration.ofSeconds(3);

    private final HealthCheck check;
    private final HealthAlerts alerts;
    private final Clock clock;
    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final HealthMetrics gauges = new HealthMetrics(registry);
    private final Counter intake = Counter.builder().name("cmis_webhook_requests_total")
            .help("Webhook requests answered, by platform and answer").labelNames("platform", "status")
            .register(registry);
    private final Counter processed = Counter.builder().name("cmis_webhook_events_processed_total")
            .help("Webhook events processed by this serve's workers, by outcome").labelNames("outcome")
            .register(registry);
    private final Histogram apiCalls = Histogram.builder().name("cmis_api_call_duration_seconds")
            .help("Platform calls made by this process, by platform and outcome").labelNames("platform", "outcome")
            .register(registry);
    private final Counter proxied = Counter.builder().name("cmis_proxy_requests_total")
            .help("Calls of the application through this serve's proxy, by platform and X-Cmis-Outcome (refused: "
                    + "a refusal of the proxy itself without an outcome)").labelNames("platform", "outcome")
            .register(registry);
    private final Counter credentialReads = Counter.builder().name("cmis_credential_reads_total")
            .help("Credential reads answered by this serve's application API, by outcome").labelNames("outcome")
            .register(registry);
    private final Counter credentialRefreshes = Counter.builder().name("cmis_credential_refreshes_on_read_total")
            .help("Tokens this serve refreshed at the platform because a credential read found them due")
            .register(registry);
    private final io.prometheus.metrics.core.metrics.Gauge loopUp = io.prometheus.metrics.core.metrics.Gauge.builder()
            .name("cmis_serve_loop_up").help("1 while this loop of serve runs, 0 once it died (serve's watchdog "
                    + "then exits so systemd restarts it)").labelNames("loop").register(registry);
    private final ScheduledExecutorService schedule = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "cmis:health");
        t.setDaemon(true);
        return t;
    });
    private final java.util.concurrent.ExecutorService evaluator = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "cmis:health-evaluation");
        t.setDaemon(true);
        return t;
    });
    private HealthReport latest;
    private java.util.concurrent.CompletableFuture<HealthReport> inFlight;
    private java.util.concurrent.ScheduledFuture<?> loop;

    public ServeMonitor(HealthCheck check, HealthAlerts alerts, Clock clock) {
        this.check = check;
        this.alerts = alerts;
        this.clock = clock;
        JvmMetrics.builder().register(registry);
    }

    /** Evaluates and alerts every {@code interval}, starting now. */
    public void start(Duration interval) {
        loop = schedule.scheduleWithFixedDelay(Liveness.guard("health monitor", this::evaluateAndAlert), 0,
                interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** The scheduled evaluation, for {@code /health/live}. */
    public java.util.concurrent.Future<?> loop() {
        return loop;
    }

    /** One scheduled round; public so a test can run it without waiting a minute. */
    public HealthReport evaluateAndAlert() {
        HealthReport report = await(java.util.concurrent.CompletableFuture.supplyAsync(this::evaluate, evaluator));
        if (report.status() != HealthStatus.UNKNOWN) {
            try {
                alerts.record(report).ifPresent(message -> log.warn("alert: {}", message));
            } catch (RuntimeException e) {
                log.warn("could not record health alerts: {}", e.getMessage());
            }
        }
        return report;
    }

    /**
     * The latest evaluation when it is at most a few seconds old, else a new one; unknown when the
     * database does not answer within {@link #ANSWER_WITHIN}. Never the last good report of a
     * database that has since gone away. One evaluation runs at a time; concurrent callers share it.
     */
    public HealthReport current() {
        java.util.concurrent.CompletableFuture<HealthReport> running;
        synchronized (this) {
            if (latest != null && !latest.timestamp().plus(FRESH).isBefore(clock.instant())) {
                return latest;
            }
            if (inFlight == null || inFlight.isDone()) {
                inFlight = java.util.concurrent.CompletableFuture.supplyAsync(this::evaluate, evaluator);
            }
            running = inFlight;
        }
        return await(running);
    }

    private HealthReport await(java.util.concurrent.CompletableFuture<HealthReport> running) {
        try {
            return running.get(ANSWER_WITHIN.toMillis(), TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            return remember(HealthReport.unknown(clock.instant(), "the database did not answer within "
                    + ANSWER_WITHIN.toSeconds() + " s"));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return HealthReport.unknown(clock.instant(), "interrupted");
        } catch (java.util.concurrent.ExecutionException e) {
            return remember(HealthReport.unknown(clock.instant(), String.valueOf(e.getCause())));
        }
    }

    private HealthReport evaluate() {
        HealthReport report;
        try {
            report = check.evaluate();
        } catch (RuntimeException e) {
            report = HealthReport.unknown(clock.instant(), String.valueOf(e.getMessage()));
        }
        return remember(report);
    }

    private synchronized HealthReport remember(HealthReport report) {
        if (latest == null || !report.timestamp().isBefore(latest.timestamp())) {
            latest = report;
        }
        return report;
    }

    /** {@code /metrics}: every gauge from the current evaluation, then the whole registry as text. */
    public String metrics() {
        gauges.update(current());
        return HealthMetrics.text(registry);
    }

    /** {@link #metrics()} with whether each of serve's loops still runs. */
    public String metrics(Liveness liveness) {
        List<String> dead = liveness.dead();
        for (String loop : liveness.names()) {
            loopUp.labelValues(loop).set(dead.contains(loop) ? 0 : 1);
        }
        return metrics();
    }

    public void intakeAnswered(String platform, int httpStatus) {
        intake.labelValues(platform, Integer.toString(httpStatus)).inc();
    }

    public void eventProcessed(String outcome) {
        processed.labelValues(outcome).inc();
    }

    /** One recorded credential read: its outcome, and whether it refreshed the token at the platform. */
    /** A proxied call answered (the platform's call itself is in cmis_api_call_duration_seconds too). */
    public void proxied(String platform, String outcome) {
        proxied.labelValues(platform, outcome).inc();
    }

    public void credentialRead(String outcome, boolean refreshed) {
        credentialReads.labelValues(outcome).inc();
        if (refreshed) {
            credentialRefreshes.inc();
        }
    }

    public void apiCall(ApiCallLog.ApiCall call) {
        apiCalls.labelValues(call.platform(), call.outcome()).observe(call.durationMillis() / 1000.0);
    }

    @Override
    public void close() {
        schedule.shutdownNow();
        evaluator.shutdownNow();
    }

    /** For the dashboard's "evaluated at". */
    public Instant now() {
        return clock.instant();
    }
}
