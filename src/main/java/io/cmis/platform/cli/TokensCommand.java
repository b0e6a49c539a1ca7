package io.cmis.platform.cli;

import io.cmis.platform.config.Durations;
import io.cmis.platform.integrations.Integration;
import io.cmis.platform.integrations.IntegrationFilter;
import io.cmis.platform.tenancy.OrgId;
import io.cmis.platform.tokens.KeyRotation;
import io.cmis.platform.tokens.RefreshOutcome;
import io.cmis.platform.tokens.TokenRefresher;
import io.cmis.platform.tokens.TokenSettings;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.time.Duration;
import java.util.Optional;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code tokens rotate-key}. */
@Command(name = "tokens", description = "Token lifecycle.",
        subcommands = {TokensCommand.Refresh.class, TokensCommand.Status.class, TokensCommand.RotateKey.class})
final class TokensCommand {

    static TokenRefresher refresher(CliContext context) {
        TokenSettings settings = TokenSettings.from(context.config());
        int pool = context.config().database().poolSize();
        if (pool < settings.concurrency() + 2) {
            // each refresh holds a connection (its row lock) while the platform answers
            throw new io.cmis.platform.config.ConfigException("tokens.concurrency " + settings.concurrency()
                    + " needs database.pool-size of at least " + (settings.concurrency() + 2) + " (it is " + pool + ")");
        }
        return new TokenRefresher(context.tenancy(), context.vault(), context.platforms().registry(), settings,
                context.clock());
    }

    @Command(name = "refresh", description = "Refresh the tokens that expire within the window (cron: hourly). "
            + "Each integration is refreshed once even when several sweeps run at the same time.")
    static final class Refresh implements Callable<Integer> {
        private final CliContext context;

        @Option(names = "--within", paramLabel = "DURATION", defaultValue = "24h",
                description = "Refresh tokens expiring within this (default ${DEFAULT-VALUE}).")
        String within;

        @Mixin
        ScopeOptions scope;

        @Option(names = "--dry-run", description = "List what would be refreshed; change nothing.")
        boolean dryRun;

        Refresh(CliContext context) {
            this.context = context;
        }

        @Override
        public Integer call() {
            Duration window;
            try {
                window = Durations.parse(within);
            } catch (IllegalArgumentException e) {
                throw new UsageException("--within: " + e.getMessage());
            }
            List<RefreshOutcome> outcomes = refresher(context).sweep(window, scope.org(), scope.platform(), dryRun);
            RunSummary summary = RunSummary.of(outcomes, RefreshOutcome::succeeded, RefreshOutcome::failed);
            Printer printer = context.printer();
            if (printer.json()) {
                printer.json(summary.json(Map.of("dry_run", dryRun)));
            } else {
                outcomes.forEach(o -> printer.line(o.outcome() + "  " + o.platform() + "  " + o.integrationId() + "  "
                        + o.detail()));
                printer.line((dryRun ? "dry run: " : "") + summary.succeeded() + " refreshed, " + summary.failed()
                        + " failed, " + summary.skipped() + " skipped");
            }
            return summary.exitCode();
        }
    }

    @Command(name = "status", description = "Expiry overview: when each token expires and whether it can be refreshed.")
    static final class Status implements Callable<Integer> {
        private final CliContext context;

        Status(CliContext context) {
            this.context = context;
        }

        @Override
        public Integer call() {
            var registry = context.platforms().registry();
            java.time.Instant now = context.clock().instant();
            Duration expiringWithin = io.cmis.platform.health.HealthSettings.from(context.config()).expiringWithin();
            List<Map<String, Object>> rows = new java.util.ArrayList<>();
            for (Integration i : IntegrationsCommand.service(context).list(IntegrationFilter.all())) {
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("id", i.id());
                row.put("org_id", i.orgId());
                row.put("platform", i.platform());
                row.put("token_kind", i.tokenKind());
                row.put("status", i.status().dbValue());
                row.put("token_expires_at", i.tokenExpiresAt());
                row.put("expires_in_seconds", i.tokenExpiresAt() == null ? null
                        : Duration.between(now, i.tokenExpiresAt()).toSeconds());
                io.cmis.platform.platforms.RefreshMode mode = registry.get(i.platform()).refreshMode(i.tokenKind());
                io.cmis.platform.tokens.Renewal renewal = io.cmis.platform.tokens.Renewal.of(mode, i.hasRefreshToken(),
                        i.tokenExpiresAt() != null);
                row.put("refresh", mode.name().toLowerCase(java.util.Locale.ROOT));
                row.put("renewal", renewal.text());
                // Expiring: nothing renews it in the hourly sweep and it ends within health.expiring-within.
                row.put("expiring", renewal.needsWarning() && i.tokenExpiresAt() != null
                        && i.tokenExpiresAt().isBefore(now.plus(expiringWithin)));
                row.put("last_refreshed_at", i.lastRefreshedAt());
                rows.add(row);
            }
            Printer printer = context.printer();
            if (printer.json()) {
                printer.json(rows);
                return ExitCodes.OK;
            }
            printer.table(List.of("ID", "ORG", "PLATFORM", "STATUS", "EXPIRES IN", "RENEWAL"),
                    rows.stream().map(r -> List.of(String.valueOf(r.get("id")), String.valueOf(r.get("org_id")),
                            String.valueOf(r.get("platform")), String.valueOf(r.get("status")),
                            r.get("expires_in_seconds") == null ? "never"
                                    : Durations.format(Duration.ofSeconds(Math.max(0, (Long) r.get("expires_in_seconds")))),
                            r.get("renewal") + (Boolean.TRUE.equals(r.get("expiring")) ? " (EXPIRING: reconnect before it "
                                    + "expires)" : ""))).toList(), "no integrations");
            return ExitCodes.OK;
        }
    }

    @Command(name = "rotate-key", description = "Re-encrypt every stored secret under the active (first) key of "
            + "encryption.keys. Idempotent; safe to stop and run again.")
    static final class RotateKey implements Callable<Integer> {
        private final CliContext context;

        RotateKey(CliContext context) {
            this.context = context;
        }

        @Override
        public Integer call() {
            List<KeyRotation.ColumnResult> results = new KeyRotation(context.tenancy(), context.vault()).rotateAll();
            int rotated = results.stream().mapToInt(KeyRotation.ColumnResult::rotated).sum();
            int current = results.stream().mapToInt(KeyRotation.ColumnResult::alreadyCurrent).sum();
            int failed = results.stream().mapToInt(KeyRotation.ColumnResult::failed).sum();
            Printer printer = context.printer();
            if (printer.json()) {
                Map<String, Object> out = new LinkedHashMap<>();
                out.put("active_key", context.keyring().active().id());
                out.put("succeeded", rotated);
                out.put("failed", failed);
                out.put("skipped", current);
                out.put("items", results.stream().map(r -> Map.of(
                        "column", r.column(), "rotated", r.rotated(), "already_current", r.alreadyCurrent(),
                        "failed", r.failed(), "outcome", r.failed() > 0 ? "failed" : "succeeded")).toList());
                printer.json(out);
            } else {
                printer.line("re-encrypted " + rotated + " secret(s) under key '" + context.keyring().active().id()
                        + "'; " + current + " already used it; " + failed + " could not be decrypted");
            }
            return failed > 0 ? ExitCodes.SOME_FAILED : ExitCodes.OK;
        }
    }
}
