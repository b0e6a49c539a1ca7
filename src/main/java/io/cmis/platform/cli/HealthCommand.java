package io.cmis.platform.cli;

import io.cmis.platform.health.HealthAlerts;
import io.cmis.platform.health.HealthCheck;
import io.cmis.platform.health.HealthMetrics;
import io.cmis.platform.health.HealthReport;
import io.cmis.platform.health.HealthSettings;
import io.cmis.platform.health.HealthStatus;
import io.cmis.platform.logging.SecretMasker;
import io.cmis.platform.store.DatabaseUnavailableException;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import org.jdbi.v3.core.JdbiException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code health}: the whole state for cron and CI, with Nagios exit codes. */
@Command(name = "health", description = "Overall health: integrations, webhooks, platform calls, rate limits, "
        + "circuit breakers, secrets not under the active key. Exit 0 healthy, 1 warning, 2 critical, 3 unknown "
        + "(database unreachable).")
final class HealthCommand implements Callable<Integer> {
    private final CliContext context;

    @Option(names = "--alert", description = "Alert (alerts.webhook-url) when the overall state changed since the "
            + "last evaluation, on recovery too, and remind while critical (health.reminder-interval).")
    boolean alert;

    @Option(names = "--prometheus", paramLabel = "FILE", description = "Also write the numbers for node_exporter's "
            + "textfile collector (replaced atomically).")
    Path prometheus;

    /** Exit 3 by then when the database does not answer (cron and CI wait for an exit code, not a hang). */
    private static final java.time.Duration ANSWER_WITHIN = java.time.Duration.ofSeconds(8);

    HealthCommand(CliContext context) {
        this.context = context;
    }

    @Override
    public Integer call() throws IOException {
        HealthSettings settings = HealthSettings.from(context.config());
        HealthReport report;
        try {
            // Connecting included: cron's health ends with exit 3 when the database does not answer, never hangs.
            report = HealthCheck.within(ANSWER_WITHIN, context.clock(), () -> {
                HealthReport evaluated = new HealthCheck(context.tenancy(), settings, context.clock(), context.vault(),
                        context.platforms().registry())
                        .evaluate();
                if (alert) {
                    new HealthAlerts(context.tenancy(), settings, context.clock()).record(evaluated)
                            .ifPresent(message -> context.notice("alert: " + message));
                }
                return evaluated;
            });
        } catch (DatabaseUnavailableException | JdbiException e) {
            report = HealthReport.unknown(context.clock().instant(), SecretMasker.mask(String.valueOf(e.getMessage())));
        }
        if (prometheus != null) {
            PrometheusRegistry registry = new PrometheusRegistry();
            new HealthMetrics(registry).update(report);
            HealthMetrics.writeTextfile(registry, prometheus);
        }
        print(report);
        return report.status().exitCode();
    }

    private void print(HealthReport report) {
        Printer printer = context.printer();
        if (printer.json()) {
            printer.json(report.document());
            return;
        }
        printer.line("health: " + report.status().text().toUpperCase(java.util.Locale.ROOT));
        List<List<String>> rows = new ArrayList<>();
        report.components().forEach((name, value) -> rows.addAll(rows(name, value)));
        printer.table(List.of("COMPONENT", "HEALTH", "DETAIL"), rows, "no components");
    }

    @SuppressWarnings("unchecked")
    private static List<List<String>> rows(String name, Object value) {
        Map<String, Object> component = (Map<String, Object>) value;
        if (component.get("health") instanceof HealthStatus status) {
            List<String> detail = new ArrayList<>();
            component.forEach((k, v) -> {
                if (!k.equals("health") && v != null) {
                    detail.add(k + " " + v);
                }
            });
            return List.of(List.of(name, status.text(), String.join(", ", detail)));
        }
        List<List<String>> rows = new ArrayList<>();
        component.forEach((part, v) -> rows.addAll(rows(name + "." + part, v)));
        return rows;
    }
}
