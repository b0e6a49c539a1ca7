package io.cmis.platform.cli;

import io.cmis.platform.webhooks.EventOutcome;
import io.cmis.platform.webhooks.ReplaySelection;
import io.cmis.platform.webhooks.StoredEvent;
import io.cmis.platform.webhooks.WebhookAdmin;
import io.cmis.platform.webhooks.WebhookProcessor;
import io.cmis.platform.webhooks.WebhookSettings;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Callable;

/** {@code webhooks process | work | replay | list | cleanup | stats}. */
@Command(name = "webhooks", description = "The webhook inbox: process it (once, or as a worker process), replay "
        + "events, list and prune it.",
        subcommands = {WebhooksCommand.Process.class, WebhooksWorkCommand.class, WebhooksCommand.Replay.class,
                WebhooksCommand.ListEvents.class, WebhooksCommand.Cleanup.class, WebhooksCommand.Stats.class})
final class WebhooksCommand {
    private static final Set<String> STATUSES = Set.of("queued", "processing", "processed", "retrying", "dead");

    static String workerName(String role) {
        String host;
        try {
            host = java.net.InetAddress.getLocalHost().getHostName();
        } catch (java.net.UnknownHostException e) {
            host = "unknown-host";
        }
        return role + ":" + host + ":" + ProcessHandle.current().pid();
    }

    @Command(name = "process", description = "Process due events once, as one worker (cron's way; serve has its own).")
    static final class Process implements Callable<Integer> {
        private final CliContext context;

        @Option(names = "--max", paramLabel = "N", description = "At most N events (default: webhooks.batch-size, "
                + "or no limit with --until-empty).")
        Integer max;

        @Option(names = "--until-empty", description = "Keep taking batches until no event is due.")
        boolean untilEmpty;

        Process(CliContext context) {
            this.context = context;
        }

        @Override
        public Integer call() throws InterruptedException {
            if (max != null && max < 1) {
                throw new UsageException("--max must be at least 1, got " + max);
            }
            WebhookSettings settings = WebhookSettings.from(context.config());
            WebhookProcessor processor = new WebhookProcessor(context.tenancy(), settings, context.clock(),
                    context.random(), workerName("process"), context.platforms().registry());
            long limit = max != null ? max : untilEmpty ? Long.MAX_VALUE : settings.batchSize();
            // SIGTERM: finish the event in hand, give the rest of the batch back, then close.
            java.util.concurrent.atomic.AtomicBoolean stopping = new java.util.concurrent.atomic.AtomicBoolean();
            java.util.concurrent.CountDownLatch finished = new java.util.concurrent.CountDownLatch(1);
            context.beforeClose(() -> {
                stopping.set(true);
                try {
                    finished.await(30, java.util.concurrent.TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            List<EventOutcome> outcomes = new ArrayList<>();
            Printer printer = context.printer();
            try {
                while (outcomes.size() < limit && !stopping.get()) {
                    int batch = (int) Math.min(settings.batchSize(), limit - outcomes.size());
                    List<EventOutcome> done = processor.processBatch(batch, stopping::get);
                    for (EventOutcome o : done) {
                        if (!printer.json()) {
                            printer.line(o.outcome() + "  " + o.platform() + "  " + o.id() + "  " + o.eventType() + "  "
                                    + o.detail() + (o.nextAttemptAt() == null ? "" : " (next attempt "
                                    + Printer.time(o.nextAttemptAt()) + ")"));
                        }
                    }
                    outcomes.addAll(done);
                    if (done.isEmpty() || !untilEmpty) {
                        break;
                    }
                }
            } finally {
                finished.countDown();
            }
            RunSummary summary = RunSummary.of(outcomes, EventOutcome::succeeded, EventOutcome::failed);
            if (printer.json()) {
                printer.json(summary.json(Map.of()));
            } else {
                printer.line(summary.succeeded() + " processed, " + summary.failed() + " failed (retrying or dead), "
                        + summary.skipped() + " given back");
            }
            return summary.exitCode();
        }
    }

    @Command(name = "replay", description = "Put events back in the queue: by id, every dead one, or a platform's "
            + "since a time. Safe to run twice.")
    static final class Replay implements Callable<Integer> {
        private final CliContext context;

        @ArgGroup(exclusive = true, multiplicity = "1")
        Selection selection;

        static final class Selection {
            @Option(names = "--event", paramLabel = "ID", arity = "1..*", converter = Converters.Id.class,
                    description = "These events.")
            List<UUID> events;

            @Option(names = "--dead", description = "Every dead event.")
            boolean dead;

            @ArgGroup(exclusive = false)
            Since since;
        }

        static final class Since {
            @Option(names = "--platform", required = true, paramLabel = "PLATFORM",
                    converter = Converters.Platform.class, description = "Events of this platform ...")
            String platform;

            @Option(names = "--since", required = true, paramLabel = "TIME", converter = Converters.TimeOrAgo.class,
                    description = "... received since TIME (ISO-8601, or a duration ago like 2h).")
            Instant since;
        }

        @Option(names = "--dry-run", description = "Only say what would be re-queued.")
        boolean dryRun;

        Replay(CliContext context) {
            this.context = context;
        }

        @Override
        public Integer call() {
            ReplaySelection chosen = new ReplaySelection(
                    selection.events == null ? List.of() : selection.events, selection.dead,
                    Optional.ofNullable(selection.since).map(s -> s.platform),
                    Optional.ofNullable(selection.since).map(s -> s.since));
            WebhookAdmin.Replay result = new WebhookAdmin(context.tenancy(), context.clock()).replay(chosen, dryRun);
            Printer printer = context.printer();
            if (printer.json()) {
                Map<String, Object> out = new LinkedHashMap<>();
                out.put("dry_run", dryRun);
                out.put("requeued", result.requeued().stream().map(StoredEvent::id).toList());
                out.put("already_queued", result.alreadyQueued().stream().map(StoredEvent::id).toList());
                out.put("unknown", result.unknown());
                printer.json(out);
            } else {
                for (StoredEvent e : result.requeued()) {
                    printer.line((dryRun ? "would re-queue  " : "re-queued  ") + e.id() + "  " + e.platform() + "  "
                            + e.eventType() + "  was " + e.status()
                            + (e.lastError() == null ? "" : " (" + e.lastError() + ")"));
                }
                result.alreadyQueued().forEach(e -> printer.line("already " + e.status() + "  " + e.id()));
                result.unknown().forEach(id -> printer.line("no such event  " + id));
                printer.line((dryRun ? "would re-queue " : "re-queued ") + result.requeued().size() + " events");
            }
            return result.unknown().isEmpty() ? ExitCodes.OK : ExitCodes.SOME_FAILED;
        }
    }

    @Command(name = "list", description = "Events in the inbox, newest first.")
    static final class ListEvents implements Callable<Integer> {
        private final CliContext context;

        @Option(names = "--status", paramLabel = "S", description = "queued, processing, processed, retrying or dead.")
        String status;

        @Option(names = "--platform", paramLabel = "PLATFORM", converter = Converters.Platform.class)
        String platform;

        @Option(names = "--unmatched", description = "Only events no org was found for.")
        boolean unmatched;

        @Option(names = "--limit", paramLabel = "N", defaultValue = "50", description = "At most N (default 50).")
        int limit;

        ListEvents(CliContext context) {
            this.context = context;
        }

        @Override
        public Integer call() {
            if (status != null && !STATUSES.contains(status)) {
                throw new UsageException("--status takes one of queued, processing, processed, retrying, dead; not '"
                        + status + "'");
            }
            if (limit < 1) {
                throw new UsageException("--limit must be at least 1, got " + limit);
            }
            List<StoredEvent> events = new WebhookAdmin(context.tenancy(), context.clock())
                    .list(Optional.ofNullable(status), Optional.ofNullable(platform), unmatched, limit);
            Printer printer = context.printer();
            if (printer.json()) {
                printer.json(events.stream().map(WebhooksCommand::json).toList());
                return ExitCodes.OK;
            }
            printer.table(List.of("ID", "PLATFORM", "TYPE", "STATUS", "ATTEMPTS", "ORG", "RECEIVED", "NOTE"),
                    events.stream().map(e -> List.of(e.id().toString(), e.platform(), String.valueOf(e.eventType()),
                            e.status(), Integer.toString(e.attempts()),
                            e.orgId() == null ? (e.unmatched() ? "unmatched" : "-") : e.orgId().toString(),
                            Printer.time(e.receivedAt()),
                            e.lastError() != null ? e.lastError() : e.effect() == null ? "" : e.effect())).toList(),
                    "no events match");
            return ExitCodes.OK;
        }
    }

    static Map<String, Object> json(StoredEvent e) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("id", e.id());
        out.put("platform", e.platform());
        out.put("event_key", e.eventKey());
        out.put("event_type", e.eventType());
        out.put("status", e.status());
        out.put("org_id", e.orgId());
        out.put("integration_id", e.integrationId());
        out.put("unmatched", e.unmatched());
        out.put("attempts", e.attempts());
        out.put("next_attempt_at", e.nextAttemptAt());
        out.put("last_error", e.lastError());
        out.put("effect", e.effect());
        out.put("received_at", e.receivedAt());
        out.put("processed_at", e.processedAt());
        out.put("forwarded_at", e.forwardedAt());
        out.put("occurred_at", e.occurredAt());
        return out;
    }

    @Command(name = "cleanup", description = "Delete processed events older than webhooks.retention (default 30d), "
            + "in small batches. Queued, retrying and dead events stay unless --include-dead.")
    static final class Cleanup implements Callable<Integer> {
        private final CliContext context;

        @Option(names = "--older-than", paramLabel = "DURATION", converter = Converters.DurationText.class,
                description = "Default: webhooks.retention.")
        Duration olderThan;

        @Option(names = "--include-dead", description = "Also dead events received that long ago.")
        boolean includeDead;

        Cleanup(CliContext context) {
            this.context = context;
        }

        @Override
        public Integer call() {
            Duration age = olderThan != null ? olderThan : WebhookSettings.from(context.config()).retention();
            if (age.isNegative() || age.isZero()) {
                throw new UsageException("--older-than must be positive");
            }
            long deleted = new WebhookAdmin(context.tenancy(), context.clock()).cleanup(age, includeDead);
            Printer printer = context.printer();
            if (printer.json()) {
                printer.json(Map.of("deleted", deleted, "older_than", io.cmis.platform.config.Durations.format(age)));
            } else {
                printer.line("deleted " + deleted + " events finished more than "
                        + io.cmis.platform.config.Durations.format(age) + " ago");
            }
            return ExitCodes.OK;
        }
    }

    @Command(name = "stats", description = "Queue, retries and dead letters in numbers (rates over the last 24 h).")
    static final class Stats implements Callable<Integer> {
        private final CliContext context;

        Stats(CliContext context) {
            this.context = context;
        }

        @Override
        public Integer call() {
            io.cmis.platform.webhooks.WebhookStats stats = io.cmis.platform.webhooks.WebhookStats.read(
                    context.tenancy(), context.clock());
            Printer printer = context.printer();
            if (printer.json()) {
                printer.json(stats);
                return ExitCodes.OK;
            }
            printer.fields(List.of(
                    List.of("queued", Long.toString(stats.queued())),
                    List.of("processing", Long.toString(stats.processing())),
                    List.of("pending retries", Long.toString(stats.pendingRetries())),
                    List.of("dead letters", Long.toString(stats.deadLetterQueue())),
                    List.of("unmatched", Long.toString(stats.unmatched())),
                    List.of("oldest waiting", stats.oldestWaitingSeconds() + " s"),
                    List.of("processed (24 h)", Long.toString(stats.processed24h())),
                    List.of("dead (24 h)", Long.toString(stats.dead24h())),
                    List.of("success rate (24 h)", String.format(java.util.Locale.ROOT, "%.1f%%",
                            100 * stats.successRate())),
                    List.of("retry success rate (24 h)", String.format(java.util.Locale.ROOT, "%.1f%%",
                            100 * stats.retrySuccessRate()))));
            return ExitCodes.OK;
        }
    }
}
