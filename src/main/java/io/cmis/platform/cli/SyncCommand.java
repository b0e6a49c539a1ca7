package io.cmis.platform.cli;

import io.cmis.platform.integrations.Integration;
import io.cmis.platform.integrations.IntegrationFilter;
import io.cmis.platform.integrations.IntegrationService;
import io.cmis.platform.integrations.IntegrationStatus;
import io.cmis.platform.sync.SyncListener;
import io.cmis.platform.sync.SyncOutcome;
import io.cmis.platform.sync.SyncService;
import io.cmis.platform.tenancy.OrgId;
import io.cmis.platform.tokens.AccessTokens;
import io.cmis.platform.tokens.TokenSettings;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Callable;

/** {@code sync}: channels and ad accounts of every selected active integration. */
@Command(name = "sync", description = "Sync channels and ad accounts from the platforms. Integrations run in parallel "
        + "(sync.concurrency); one being synced by another process is skipped.")
final class SyncCommand implements Callable<Integer> {
    private final CliContext context;

    @Mixin
    ScopeOptions scope;

    @Option(names = "--integration", paramLabel = "ID", converter = Converters.Id.class,
            description = "Only this integration.")
    UUID integration;

    @Option(names = "--only", paramLabel = "PARTS", split = ",",
            description = "channels and/or ad-accounts (default both).")
    List<String> only;

    SyncCommand(CliContext context) {
        this.context = context;
    }

    @Override
    public Integer call() {
        Set<SyncService.Part> parts = parts();
        int concurrency = context.config().positiveInt("sync.concurrency", 64);
        int pool = context.config().database().poolSize();
        if (pool < concurrency + 4) {
            throw new io.cmis.platform.config.ConfigException("sync.concurrency " + concurrency
                    + " needs database.pool-size of at least " + (concurrency + 4) + " (it is " + pool + ")");
        }
        IntegrationService integrations = IntegrationsCommand.service(context);
        List<Integration> selected = integration != null ? List.of(integrations.show(integration))
                : integrations.list(new IntegrationFilter(scope.org(), scope.platform(),
                Optional.of(IntegrationStatus.ACTIVE)));
        TokenSettings tokenSettings = TokenSettings.from(context.config());
        AccessTokens tokens = new AccessTokens(context.tenancy(), context.vault(), context.platforms().registry(),
                TokensCommand.refresher(context), tokenSettings, context.clock());
        SyncService service = new SyncService(context.tenancy(), context.config().duration("sync.lease"),
                WebhooksCommand.workerName("sync"), context.vault(), context.platforms().registry(), tokens,
                context.clock(), concurrency);
        Printer printer = context.printer();
        SyncProgress progress = new SyncProgress(printer, context, selected.size());
        List<SyncOutcome> outcomes = service.sync(selected, parts, progress);
        RunSummary summary = RunSummary.of(outcomes, SyncOutcome::succeeded, SyncOutcome::failed);
        if (printer.json()) {
            printer.json(summary.json(Map.of()));
        } else {
            progress.finish();
            printer.line(summary.succeeded() + " synced, " + summary.failed() + " failed, " + summary.skipped()
                    + " skipped or deferred");
        }
        // 0 only when everything asked for is synced (by this run or one beside it); deferred, skipped, failed: 1.
        return outcomes.stream().allMatch(SyncOutcome::done) ? ExitCodes.OK : ExitCodes.SOME_FAILED;
    }

    private Set<SyncService.Part> parts() {
        if (only == null || only.isEmpty()) {
            return EnumSet.allOf(SyncService.Part.class);
        }
        Set<SyncService.Part> parts = EnumSet.noneOf(SyncService.Part.class);
        for (String part : only) {
            switch (part.trim().toLowerCase(Locale.ROOT)) {
                case "channels" -> parts.add(SyncService.Part.CHANNELS);
                case "ad-accounts" -> parts.add(SyncService.Part.AD_ACCOUNTS);
                default -> throw new UsageException("--only takes channels and/or ad-accounts, not '" + part + "'");
            }
        }
        return parts;
    }

    /**
     * One line per integration; on a terminal also a progress line on stderr: a bar, done/total, the
     * integration started last and the time left at the pace so far.
     */
    private static final class SyncProgress implements SyncListener {
        private final Printer printer;
        private final CliContext context;
        private final int total;
        private final long start = System.nanoTime();
        private final boolean terminal = System.console() != null;
        private int done;
        private String current = "";

        SyncProgress(Printer printer, CliContext context, int total) {
            this.printer = printer;
            this.context = context;
            this.total = total;
        }

        @Override
        public synchronized void started(Integration integration) {
            current = integration.platform() + " " + integration.id().toString().substring(0, 8);
            draw();
        }

        @Override
        public synchronized void finished(SyncOutcome outcome) {
            done++;
            if (printer.json()) {
                return;
            }
            if (terminal) {
                context.progress("");
            }
            printer.line(outcome.outcome() + "  " + outcome.platform() + "  " + outcome.integrationId() + "  "
                    + outcome.detail());
            draw();
        }

        private void draw() {
            if (!terminal || printer.json() || done >= total) {
                return;
            }
            String eta = done == 0 ? "?" : (System.nanoTime() - start) / done * (total - done) / 1_000_000_000L + "s";
            context.progress("[" + bar() + "] " + done + "/" + total + "  " + current + "  ETA " + eta);
        }

        void finish() {
            if (terminal) {
                context.progress("");
            }
        }

        private String bar() {
            int width = 30;
            int filled = total == 0 ? width : done * width / total;
            return "#".repeat(filled) + "-".repeat(width - filled);
        }
    }
}
