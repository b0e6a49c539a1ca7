package io.cmis.platform.cli;

import io.cmis.platform.notifications.Notification;
import io.cmis.platform.notifications.NotificationOutbox;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;

/** {@code alerts list}: the alert outbox, what was sent to alerts.webhook-url and what is waiting. */
@Command(name = "alerts", description = "Alerts raised (re-auth needed, revocations, health changes) and their delivery.",
        subcommands = AlertsCommand.ListAlerts.class)
final class AlertsCommand {

    @Command(name = "list", description = "Alerts, newest first.")
    static final class ListAlerts implements Callable<Integer> {
        private final CliContext context;

        @Option(names = "--status", paramLabel = "S", description = "pending, delivered or failed.")
        String status;

        @Option(names = "--limit", paramLabel = "N", defaultValue = "50", description = "At most N (default 50).")
        int limit;

        ListAlerts(CliContext context) {
            this.context = context;
        }

        @Override
        public Integer call() {
            if (status != null && !Set.of("pending", "delivered", "failed").contains(status)) {
                throw new UsageException("--status takes pending, delivered or failed; not '" + status + "'");
            }
            if (limit < 1) {
                throw new UsageException("--limit must be at least 1, got " + limit);
            }
            List<Notification> alerts = context.tenancy().systemWide("list alerts across orgs",
                    h -> new NotificationOutbox(h).list(Optional.ofNullable(status), limit));
            Printer printer = context.printer();
            if (printer.json()) {
                printer.json(alerts);
                return ExitCodes.OK;
            }
            printer.table(List.of("CREATED", "KIND", "STATUS", "ORG", "MESSAGE"), alerts.stream().map(a -> List.of(
                    Printer.time(a.createdAt()), a.kind(), a.status(), a.orgId() == null ? "-" : a.orgId().toString(),
                    a.message())).toList(), "no alerts");
            return ExitCodes.OK;
        }
    }
}
