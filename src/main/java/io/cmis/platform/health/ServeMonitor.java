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
    private static final Duration FRESH = Duration.ofSeconds(5);

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
    private final ScheduledExecutorService schedule = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "cmis:health");
        t.setDaemon(true);
        return t;
    });
    private HealthReport latest;

    public ServeMonitor(HealthCheck check, HealthAlerts alerts, Clock clock) {
        this.check = check;
        this.alerts = alerts;
        this.clock = clock;
        JvmMetrics.builder().register(registry);
    }

    /** Evaluates and alerts every {@code interval}, starting now. */
    public void start(Duration interval) {
        schedule.scheduleWithFixedDelay(this::evaluateAndAlert, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** One scheduled round; public so a test can run it without waiting a minute. */
    public HealthReport evaluateAndAlert() {
        HealthReport report = evaluate();
        if (report.status() != HealthStatus.UNKNOWN) {
            try {
                alerts.record(report).ifPresent(message -> log.warn("alert: {}", message));
            } catch (RuntimeException e) {
                log.warn("could not record health alerts: {}", e.getMessage());
            }
        }
        return report;
    }

    /** The latest evaluation, made anew when older than a few seconds. */
    public synchronized HealthReport current() {
        if (latest == null || latest.timestamp().plus(FRESH).isBefore(clock.instant())) {
            return evaluate();
        }
        return latest;
    }

    private synchronized HealthReport evaluate() {
        try {
            latest = check.evaluate();
        } catch (RuntimeException e) {
            latest = HealthReport.unknown(clock.instant(), String.valueOf(e.getMessage()));
        }
        return latest;
    }

    /** {@code /metrics}: every gauge from the current evaluation, then the whole registry as text. */
    public String metrics() {
        gauges.update(current());
        return HealthMetrics.text(registry);
    }

    public void intakeAnswered(String platform, int httpStatus) {
        intake.labelValues(platform, Integer.toString(httpStatus)).inc();
    }

    public void eventProcessed(String outcome) {
        processed.labelValues(outcome).inc();
    }

    public void apiCall(ApiCallLog.ApiCall call) {
        apiCalls.labelValues(call.platform(), call.outcome()).observe(call.durationMillis() / 1000.0);
    }

    @Override
    public void close() {
        schedule.shutdownNow();
    }

    /** For the dashboard's "evaluated at". */
    public Instant now() {
        return clock.instant();
    }
}
