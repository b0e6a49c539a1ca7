package io.cmis.platform.cli;

import io.cmis.platform.crypto.Secret;
import io.cmis.platform.integrations.ImportedToken;
import io.cmis.platform.integrations.Integration;
import io.cmis.platform.integrations.IntegrationFilter;
import io.cmis.platform.integrations.IntegrationService;
import io.cmis.platform.integrations.IntegrationStatus;
import io.cmis.platform.platforms.Account;
import io.cmis.platform.platforms.CallContext;
import io.cmis.platform.platforms.PlatformConnector;
import io.cmis.platform.tenancy.OrgId;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Callable;

/** {@code integrations add | import | list | show | disable | call}. */
@Command(name = "integrations", description = "Operate on connected platform accounts.",
        subcommands = {IntegrationsCommand.Add.class, ImportCommand.class, IntegrationsCommand.ListIntegrations.class,
                IntegrationsCommand.Show.class, IntegrationsCommand.Disable.class, IntegrationsCallCommand.class})
final class IntegrationsCommand {
    private static final long MAX_EXPIRES_IN = Duration.ofDays(3650).toSeconds();

    static IntegrationService service(CliContext context) {
        return new IntegrationService(context.tenancy(), context.vault(), context.clock());
    }

    @Command(name = "add", description = "Import an existing token (e.g. from the prototype). Replaces the tokens "
            + "of the same org, platform and account; never prints them.")
    static final class Add implements Callable<Integer> {
        private final CliContext context;

        @Mixin
        AccountOptions account;

        @Option(names = "--access-token", required = true, paramLabel = "T",
                description = "The access token." + SecretInput.HOW)
        String accessToken;

        @Option(names = "--refresh-token", paramLabel = "R",
                description = "The refresh token, if the platform issued one." + SecretInput.HOW)
        String refreshToken;

        @Option(names = "--expires-in", paramLabel = "SECONDS",
                description = "Seconds until the access token expires; omit for tokens that do not expire.")
        Long expiresIn;

        @Option(names = "--external-id", paramLabel = "ID",
                description = "The platform's id of the account (Meta user, Google account, TikTok advertiser or user, "
                        + "Snapchat user, LinkedIn member, X user); "
                        + "omitted: asked of the platform with the token.")
        String externalId;

        Add(CliContext context) {
            this.context = context;
        }

        @Override
        public Integer call() {
            Optional<String> given = Optional.ofNullable(externalId).map(id -> externalId());
            Optional<Duration> expiry = expiresIn();
            IntegrationService service = service(context);
            PlatformConnector connector = context.platforms().registry().get(account.platform);
            String tokenKind = account.importedKind(connector, refreshToken != null, expiry.isPresent());
            // Read in this order, so that two '-' options take stdin's first and second lines.
            Secret access = secret("--access-token", SecretInput.read(context, "--access-token", accessToken));
            Optional<Secret> refresh = Optional.ofNullable(refreshToken)
                    .map(r -> secret("--refresh-token", SecretInput.read(context, "--refresh-token", r)));
            Account owner = given.map(id -> new Account(id, null)).orElseGet(() -> identify(connector, tokenKind, access));
            ImportedToken token = new ImportedToken(account.org, account.platform, owner.externalId(), access, refresh,
                    expiry, tokenKind, owner.name());
            IntegrationService.AddResult result = service.add(token,
                    connector.channelsOfGrant(owner.externalId(), Optional.ofNullable(owner.name())));
            Printer printer = context.printer();
            if (printer.json()) {
                printer.json(new AddOutput(result.integration(), result.created()));
            } else {
                Integration i = result.integration();
                printer.line((result.created() ? "added" : "updated") + " integration " + i.id() + " ("
                        + i.platform() + " account " + i.externalAccountId() + ", org " + i.orgId() + ", expires "
                        + Printer.time(i.tokenExpiresAt()) + ")");
            }
            return ExitCodes.OK;
        }

        /**
         * Whose account the token is, asked of the platform. A token that cannot say (a Google token
         * without the openid or email scope, say) is the operator's to settle: one line, exit 2.
         */
        private Account identify(PlatformConnector connector, String tokenKind, Secret access) {
            try {
                return connector.identify(new CallContext(account.org.value(), null, tokenKind, access, null));
            } catch (io.cmis.platform.platforms.PlatformException e) {
                if (e.transientFailure()) {
                    throw e;
                }
                if (e instanceof io.cmis.platform.platforms.ReauthRequiredException
                        || e instanceof io.cmis.platform.platforms.TokenExpiredException) {
                    throw new UsageException(account.platform + " refused the access token (" + e.getMessage()
                            + "); check it, or connect the account with 'cmis-platform connect start "
                            + account.platform + " --org " + account.org + "'");
                }
                throw new UsageException("cannot ask " + account.platform + " whose account this token is ("
                        + e.getMessage() + "); pass --external-id with the account's id");
            }
        }

        private String externalId() {
            String id = externalId.trim();
            if (id.isEmpty() || id.length() > 255) {
                throw new UsageException("--external-id must be 1 to 255 characters");
            }
            return id;
        }

        private Optional<Duration> expiresIn() {
            if (expiresIn == null) {
                return Optional.empty();
            }
            if (expiresIn <= 0 || expiresIn > MAX_EXPIRES_IN) {
                throw new UsageException("--expires-in must be a positive number of seconds (at most "
                        + MAX_EXPIRES_IN + "), got " + expiresIn);
            }
            return Optional.of(Duration.ofSeconds(expiresIn));
        }

        private static Secret secret(String option, String value) {
            String trimmed = value.trim();
            if (trimmed.isEmpty() || trimmed.chars().anyMatch(c -> c < 0x21 || c > 0x7e)) {
                throw new UsageException(option + " must be a non-empty token of printable characters without spaces");
            }
            return Secret.of(trimmed);
        }
    }

    /** The integration plus whether {@code add} created it. */
    record AddOutput(@com.fasterxml.jackson.annotation.JsonUnwrapped Integration integration, boolean created) {
    }

    @Command(name = "list", description = "List integrations, newest last.")
    static final class ListIntegrations implements Callable<Integer> {
        private final CliContext context;

        @Mixin
        ScopeOptions scope;

        @Option(names = "--status", paramLabel = "STATUS", converter = Converters.Status.class,
                description = "Only this status: active, needs_reauth, disabled, revoked.")
        IntegrationStatus status;

        ListIntegrations(CliContext context) {
            this.context = context;
        }

        @Override
        public Integer call() {
            List<Integration> integrations = service(context).list(new IntegrationFilter(
                    scope.org(), scope.platform(), Optional.ofNullable(status)));
            Printer printer = context.printer();
            if (printer.json()) {
                printer.json(integrations);
                return ExitCodes.OK;
            }
            printer.table(List.of("ID", "ORG", "PLATFORM", "ACCOUNT", "STATUS", "TOKEN EXPIRES", "LAST REFRESHED"),
                    integrations.stream().map(i -> List.of(i.id().toString(), i.orgId().toString(), i.platform(),
                            i.externalAccountId(), i.status().dbValue(), Printer.time(i.tokenExpiresAt()),
                            Printer.time(i.lastRefreshedAt()))).toList(),
                    "no integrations match");
            return ExitCodes.OK;
        }
    }

    @Command(name = "show", description = "Show one integration (never its tokens).")
    static final class Show implements Callable<Integer> {
        private final CliContext context;

        @Parameters(index = "0", paramLabel = "ID", converter = Converters.Id.class)
        UUID id;

        Show(CliContext context) {
            this.context = context;
        }

        @Override
        public Integer call() {
            Integration i = service(context).show(id);
            Printer printer = context.printer();
            if (printer.json()) {
                printer.json(i);
                return ExitCodes.OK;
            }
            printer.fields(List.of(
                    List.of("id", i.id().toString()),
                    List.of("org", i.orgId().toString()),
                    List.of("platform", i.platform()),
                    List.of("account", i.externalAccountId()),
                    List.of("name", String.valueOf(Optional.ofNullable(i.accountName()).orElse(""))),
                    List.of("status", i.status().dbValue()
                            + Optional.ofNullable(i.statusReason()).map(r -> " (" + r + ")").orElse("")),
                    List.of("refresh token", i.hasRefreshToken() ? "stored" : "none"),
                    List.of("token expires", Printer.time(i.tokenExpiresAt())),
                    List.of("last refreshed", Printer.time(i.lastRefreshedAt())),
                    List.of("refresh count", String.valueOf(i.refreshCount())),
                    List.of("last synced", Printer.time(i.lastSyncedAt())),
                    List.of("created", Printer.time(i.createdAt())),
                    List.of("updated", Printer.time(i.updatedAt()))));
            return ExitCodes.OK;
        }
    }

    @Command(name = "disable", description = "Stop using an integration (sync, refresh and webhooks skip it).")
    static final class Disable implements Callable<Integer> {
        private final CliContext context;

        @Parameters(index = "0", paramLabel = "ID", converter = Converters.Id.class)
        UUID id;

        Disable(CliContext context) {
            this.context = context;
        }

        @Override
        public Integer call() {
            IntegrationService service = service(context);
            boolean changed = service.disable(id);
            Printer printer = context.printer();
            if (printer.json()) {
                printer.json(service.show(id));
            } else {
                printer.line(changed ? "disabled integration " + id : "integration " + id + " was already disabled");
            }
            return ExitCodes.OK;
        }
    }
}
