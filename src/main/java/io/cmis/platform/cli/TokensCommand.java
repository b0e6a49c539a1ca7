package io.cmis.platform.cli;

import io.cmis.platform.config.Durations;
import io.cmis.platform.crypto.TokenVault;
import io.cmis.platform.integrations.Integration;
import io.cmis.platform.integrations.IntegrationFilter;
import io.cmis.platform.tenancy.OrgId;
import io.cmis.platform.tokens.KeyRotation;
import io.cmis.platform.tokens.RefreshOutcome;
import io.cmis.platform.tokens.SecretInventory;
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
        subcommands = {TokensCommand.Refresh.class, TokensCommand.Status.class, TokensCommand.RotateKey.class,
                TokensGetCommand.class})
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
                // The same definition health counts in expiring_soon, refresh-token ends included.
                row.put("expiring", io.cmis.platform.tokens.GrantExpiry.expiring(i.status().dbValue(), renewal,
                        i.tokenExpiresAt(), i.refreshTokenExpiresAt(), now, expiringWithin));
                row.put("last_refreshed_at", i.lastRefreshedAt());
                row.put("refresh_token_expires_at", i.refreshTokenExpiresAt());
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
            + "encryption.keys, in the current format. Waits for rows other processes hold; then counts every "
            + "secret column again and exits 1 naming what is still under an old key. Idempotent; safe to stop "
            + "and run again.")
    static final class RotateKey implements Callable<Integer> {
        private final CliContext context;

        @Option(names = "--lock-timeout", paramLabel = "DURATION", defaultValue = "2m",
                converter = Converters.DurationText.class,
                description = "How long to wait for a row another process holds, per wait (default ${DEFAULT-VALUE}).")
        Duration lockTimeout;

        RotateKey(CliContext context) {
            this.context = context;
        }

        @Override
        public Integer call() {
            if (lockTimeout.isZero() || lockTimeout.isNegative()) {
                throw new UsageException("--lock-timeout must be positive");
            }
            KeyRotation.Report report = new KeyRotation(context.tenancy(), context.vault(), lockTimeout).rotateAll();
            List<KeyRotation.ColumnResult> results = report.columns();
            int rotated = results.stream().mapToInt(KeyRotation.ColumnResult::rotated).sum();
            int current = results.stream().mapToInt(KeyRotation.ColumnResult::alreadyCurrent).sum();
            int failed = results.stream().mapToInt(KeyRotation.ColumnResult::failed).sum();
            int locked = results.stream().mapToInt(KeyRotation.ColumnResult::locked).sum();
            String active = context.keyring().active().id();
            Printer printer = context.printer();
            if (printer.json()) {
                printer.json(json(report, active, rotated, current, failed, locked));
            } else {
                printer.line("re-encrypted " + rotated + " secret(s) under key '" + active + "'; " + current
                        + " already used it; " + failed + " could not be decrypted; " + locked
                        + " stayed locked by another process");
                for (SecretInventory.Stale stale : report.remaining()) {
                    printer.line("still not under key '" + active + "' (" + TokenVault.VERSION + "): "
                            + stale.describe());
                }
                if (!report.complete()) {
                    printer.line("keep the old key(s) in encryption.keys; run tokens rotate-key again");
                }
            }
            return failed > 0 || locked > 0 || !report.complete() ? ExitCodes.SOME_FAILED : ExitCodes.OK;
        }

        private static Map<String, Object> json(KeyRotation.Report report, String active, int rotated, int current,
                                                int failed, int locked) {
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("active_key", active);
            out.put("format", TokenVault.VERSION);
            out.put("succeeded", rotated);
            out.put("failed", failed);
            out.put("skipped", current);
            out.put("locked", locked);
            out.put("not_under_active_key", report.remainingTotal());
            out.put("remaining", report.remaining().stream().map(r -> {
                Map<String, Object> item = new LinkedHashMap<>();
                item.put("table", r.table());
                item.put("column", r.column());
                item.put("format", r.format());
                item.put("key_id", r.keyId());
                item.put("count", r.count());
                return item;
            }).toList());
            out.put("items", report.columns().stream().map(r -> {
                Map<String, Object> item = new LinkedHashMap<>();
                item.put("column", r.column());
                item.put("rotated", r.rotated());
                item.put("already_current", r.alreadyCurrent());
                item.put("failed", r.failed());
                item.put("locked", r.locked());
                long left = report.remaining().stream().filter(s -> (s.table() + "." + s.column()).equals(r.column()))
                        .mapToLong(SecretInventory.Stale::count).sum();
                item.put("not_under_active_key", left);
                item.put("outcome", r.failed() > 0 || r.locked() > 0 || left > 0 ? "failed" : "succeeded");
                return item;
            }).toList());
            return out;
        }
    }
}
