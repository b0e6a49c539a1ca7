package io.cmis.platform.health;

import io.cmis.platform.config.BuildInfo;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.Info;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;

/**
 * The health numbers as Prometheus gauges, in the official client's registry: written as a
 * node_exporter textfile by {@code health --prometheus FILE} and served by {@code /metrics}.
 */
public final class HealthMetrics {
    private final Gauge status;
    private final Gauge integrations;
    private final Gauge webhookEvents;
    private final Gauge oldestQueued;
    private final Gauge retrySuccess;
    private final Gauge apiCalls;
    private final Gauge apiFailures;
    private final Gauge apiSuccess;
    private final Gauge apiP95;
    private final Gauge breakerOpen;
    private final Gauge rateLimitUsage;
    private final Gauge limitedScopes;
    private final Gauge evaluatedAt;
    private final Gauge staleSecrets;
    private final Gauge lastSync;
    private final Gauge partitionsAhead;

    public HealthMetrics(PrometheusRegistry registry) {
        status = gauge(registry, "cmis_health_status", "0 healthy, 1 warning, 2 critical, 3 unknown", "component");
        integrations = gauge(registry, "cmis_integrations", "Integrations by status; expiring_soon counts active "
                + "grants that end within health.expiring-within; refresh_overdue tokens a refresh token renews that "
                + "lapsed over 2 minutes ago", "status");
        webhookEvents = gauge(registry, "cmis_webhook_events", "Webhook events by status", "status");
        oldestQueued = gauge(registry, "cmis_webhook_oldest_queued_seconds", "Age of the oldest event waiting");
        retrySuccess = gauge(registry, "cmis_webhook_retry_success_ratio", "Retried events that ended processed, 24 h");
        apiCalls = gauge(registry, "cmis_api_calls_24h", "Platform API calls in the last 24 h", "platform");
        apiFailures = gauge(registry, "cmis_api_call_failures_24h", "Failed platform API calls, 24 h", "platform");
        apiSuccess = gauge(registry, "cmis_api_call_success_ratio_24h", "Successful platform API calls, 24 h",
                "platform");
        apiP95 = gauge(registry, "cmis_api_call_duration_p95_seconds", "95th percentile call time, 24 h", "platform");
        breakerOpen = gauge(registry, "cmis_circuit_breaker_state", "1 for the breaker's current state",
                "platform", "state");
        rateLimitUsage = gauge(registry, "cmis_rate_limit_usage_ratio", "Highest usage the platform reported",
                "platform");
        limitedScopes = gauge(registry, "cmis_rate_limited_scopes", "Scopes limited right now", "platform");
        evaluatedAt = gauge(registry, "cmis_health_evaluated_timestamp_seconds", "When health was evaluated");
        staleSecrets = gauge(registry, "cmis_secrets_not_under_active_key", "Stored secrets not under the active key "
                + "in the current format (tokens rotate-key brings it to 0; keep old keys until then)", "column");
        // For the alerts on a cron that stopped (config/prometheus/cmis-platform.rules.yml).
        lastSync = gauge(registry, "cmis_sync_last_run_timestamp_seconds", "When a sync last started (0 before the "
                + "first)");
        partitionsAhead = gauge(registry, "cmis_api_call_log_partitions_ahead", "Day partitions of the call log "
                + "after today (UTC; db prune keeps 14)");
        BuildInfo build = BuildInfo.current();
        Info.builder().name("cmis_build").help("The running build: version, git commit and build time")
                .labelNames("version", "commit", "build_time").register(registry)
                .setLabelValues(build.version(), build.commit(), build.buildTime());
    }

    private static Gauge gauge(PrometheusRegistry registry, String name, String help, String... labels) {
        return Gauge.builder().name(name).help(help).labelNames(labels).register(registry);
    }

    /** Sets every gauge from the report. */
    @SuppressWarnings("unchecked")
    public void update(HealthReport report) {
        status.labelValues("overall").set(report.status().exitCode());
        evaluatedAt.set(report.timestamp().getEpochSecond());
        report.components().forEach((name, value) -> status.labelValues(name).set(HealthReport.worstOf(value).exitCode()));
        Map<String, Object> i = component(report, "integrations");
        for (String s : new String[]{"total", "active", "needs_reauth", "revoked", "expiring_soon",
                "refresh_overdue"}) {
            integrations.labelValues(s).set(number(i.get(s)));
        }
        Map<String, Object> w = component(report, "webhooks");
        webhookEvents.labelValues("queued").set(number(w.get("queued")));
        webhookEvents.labelValues("processing").set(number(w.get("processing")));
        webhookEvents.labelValues("retrying").set(number(w.get("pending_retries")));
        webhookEvents.labelValues("dead").set(number(w.get("dead_letter_queue")));
        webhookEvents.labelValues("unmatched").set(number(w.get("unmatched")));
        oldestQueued.set(number(w.get("oldest_queued_age_seconds")));
        retrySuccess.set(number(w.get("retry_success_rate")));
        component(report, "api_calls").forEach((platform, v) -> {
            Map<String, Object> p = (Map<String, Object>) v;
            apiCalls.labelValues(platform).set(number(p.get("total")));
            apiFailures.labelValues(platform).set(number(p.get("failed")));
            apiSuccess.labelValues(platform).set(number(p.get("success_rate")));
            apiP95.labelValues(platform).set(number(p.get("p95_duration_ms")) / 1000);
        });
        component(report, "circuit_breakers").forEach((platform, v) -> {
            String state = String.valueOf(((Map<String, Object>) v).get("state"));
            for (String s : new String[]{"closed", "open", "half_open"}) {
                breakerOpen.labelValues(platform, s).set(s.equals(state) ? 1 : 0);
            }
        });
        component(report, "rate_limits").forEach((platform, v) -> {
            Map<String, Object> p = (Map<String, Object>) v;
            rateLimitUsage.labelValues(platform).set(number(p.get("usage_pct")) / 100);
            limitedScopes.labelValues(platform).set(number(p.get("limited_scopes")));
        });
        secrets(report);
        Map<String, Object> jobs = component(report, "scheduled_jobs");
        if (jobs.get("last_sync_started_at") instanceof java.time.Instant at) {
            lastSync.set(at.getEpochSecond());
        }
        if (jobs.containsKey("call_log_partitions_ahead_days")) {
            partitionsAhead.set(number(jobs.get("call_log_partitions_ahead_days")));
        }
    }

    /** One series per secret column, 0 included; none when the report has no secrets component (unknown). */
    @SuppressWarnings("unchecked")
    private void secrets(HealthReport report) {
        if (!(report.components().get("secrets") instanceof Map<?, ?> secrets)) {
            return;
        }
        Map<String, Double> byColumn = new java.util.LinkedHashMap<>();
        for (io.cmis.platform.crypto.SecretColumns.Column c : io.cmis.platform.crypto.SecretColumns.ALL) {
            byColumn.put(c.qualified(), 0.0);
        }
        for (Map<String, Object> s : (java.util.List<Map<String, Object>>) secrets.get("stale")) {
            byColumn.merge(s.get("table") + "." + s.get("column"), number(s.get("count")), Double::sum);
        }
        byColumn.forEach((column, count) -> staleSecrets.labelValues(column).set(count));
    }

    /** The registry in Prometheus's text format. */
    public static String text(PrometheusRegistry registry) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            PrometheusTextFormatWriter.create().write(out, registry.scrape());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    /**
     * Writes a node_exporter textfile atomically: a temporary file beside it, then a rename, so the
     * collector never reads half a file. It is 0644, readable by the collector's user.
     */
    public static void writeTextfile(PrometheusRegistry registry, Path file) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        Path tmp = Files.createTempFile(dir, "." + file.getFileName(), ".tmp");
        try {
            Files.writeString(tmp, text(registry));
            // node_exporter runs as another user; the file holds numbers and fixed labels, no secret.
            try {
                Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-r--r--"));
            } catch (UnsupportedOperationException notPosix) {
                // the file system decides
            }
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> component(HealthReport report, String name) {
        return (Map<String, Object>) report.components().getOrDefault(name, Map.of());
    }

    private static double number(Object value) {
        return value instanceof Number n ? n.doubleValue() : 0;
    }
}
