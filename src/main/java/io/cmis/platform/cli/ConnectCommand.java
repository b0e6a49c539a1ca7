package io.cmis.platform.cli;

import io.cmis.platform.connect.BrowserConnect;
import io.cmis.platform.connect.ConnectLink;
import io.cmis.platform.connect.ConnectService;
import io.cmis.platform.connect.ConnectStart;
import io.cmis.platform.crypto.Secret;
import io.cmis.platform.integrations.Integration;
import io.cmis.platform.integrations.IntegrationService;
import io.cmis.platform.tenancy.OrgId;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;

/** {@code connect start} and {@code connect complete}. */
@Command(name = "connect", description = "Connect an organization's platform account through OAuth.",
        subcommands = {ConnectCommand.Start.class, ConnectCommand.Complete.class})
final class ConnectCommand {

    static ConnectService service(CliContext context) {
        return new ConnectService(context.tenancy(), context.vault(), context.platforms().registry(),
                IntegrationsCommand.service(context), context.config(), context.clock(), context.random());
    }

    @Command(name = "start", description = "Print the URL to send the user to; the state in it is single-use and "
            + "expires (connect.state-ttl).")
    static final class Start implements Callable<Integer> {
        private final CliContext context;

        @Mixin
        AccountOptions account;

        @Option(names = "--redirect-uri", paramLabel = "URI",
                description = "One of <platform>.redirect-uris (exact match); optional when only one is configured.")
        String redirectUri;

        @Option(names = "--scopes", paramLabel = "A,B", description = "Scopes instead of <platform>.scopes.")
        String scopes;

        @Option(names = "--browser", description = "Print a one-time start link on serve instead (valid "
                + "connect.start-link-ttl): the browser that opens it is the only one whose callback serve completes.")
        boolean browser;

        Start(CliContext context) {
            this.context = context;
        }

        @Override
        public Integer call() {
            String kind = account.tokenKind(context.platforms().registry().get(account.platform));
            Optional<List<String>> scopeList = Optional.ofNullable(scopes).map(s -> Arrays.stream(s.split(","))
                    .map(String::trim).filter(x -> !x.isEmpty()).toList());
            Printer printer = context.printer();
            if (browser) {
                ConnectLink link = new BrowserConnect(service(context)).link(account.platform, account.org,
                        Optional.ofNullable(redirectUri), scopeList, Optional.of(kind));
                printLink(printer, link);
                return ExitCodes.OK;
            }
            ConnectStart start = service(context).start(account.platform, account.org, Optional.ofNullable(redirectUri),
                    scopeList, Optional.of(kind));
            if (printer.json()) {
                Map<String, Object> out = new LinkedHashMap<>();
                out.put("authorization_url", start.authorizationUrl().toString());
                out.put("state", start.state());
                out.put("expires_at", start.expiresAt());
                out.put("platform", start.platform());
                out.put("org_id", start.orgId());
                printer.json(out);
            } else {
                printer.line(start.authorizationUrl().toString());
                context.notice("send the user to the URL above; the state expires at " + start.expiresAt()
                        + "; then run: cmis-platform connect complete --state " + start.state()
                        + " --code -  and paste the redirect's code (read from stdin, it never shows in ps)");
            }
            return ExitCodes.OK;
        }

        private void printLink(Printer printer, ConnectLink link) {
            if (printer.json()) {
                Map<String, Object> out = new LinkedHashMap<>();
                out.put("start_url", link.startUrl().toString());
                out.put("expires_at", link.expiresAt());
                out.put("platform", link.platform());
                out.put("org_id", link.orgId());
                printer.json(out);
            } else {
                printer.line(link.startUrl().toString());
                context.notice("open the link above once, in the browser of the user who connects (it expires at "
                        + link.expiresAt() + "); serve completes the flow at its callback in that browser only");
            }
        }
    }

    @Command(name = "complete", description = "Redeem the code the platform sent to the redirect URI and store the "
            + "integration (or update it when the same account reconnects).")
    static final class Complete implements Callable<Integer> {
        private final CliContext context;

        @Option(names = "--state", required = true, paramLabel = "S",
                description = "The state from connect start (X: the oauth_token)." + SecretInput.HOW)
        String state;

        @ArgGroup(exclusive = true, multiplicity = "1")
        Outcome outcome;

        static final class Outcome {
            @Option(names = "--code", paramLabel = "C",
                    description = "The code (TikTok: auth_code, X: oauth_verifier) from the redirect." + SecretInput.HOW)
            String code;

            @Option(names = "--error", paramLabel = "E",
                    description = "The error the platform redirected with instead (e.g. access_denied).")
            String error;
        }

        @Option(names = "--error-description", paramLabel = "TEXT", description = "The error_description, if any.")
        String errorDescription;

        @Option(names = "--org", paramLabel = "ORG", converter = Converters.Org.class,
                description = "Refuse unless the flow belongs to this organization.")
        OrgId org;

        Complete(CliContext context) {
            this.context = context;
        }

        @Override
        public Integer call() {
            // Read in this order, so that two '-' options take stdin's first and second lines.
            state = SecretInput.read(context, "--state", state);
            outcome.code = outcome.code == null ? null : SecretInput.read(context, "--code", outcome.code);
            if (state.isBlank() || (outcome.code != null && outcome.code.isBlank())) {
                throw new UsageException("--state and --code must not be empty; take them from the redirect URL");
            }
            ConnectService service = service(context);
            if (outcome.error != null) {
                service.decline(state, outcome.error, Optional.ofNullable(errorDescription));
            }
            IntegrationService.AddResult result = service.complete(state, Secret.of(outcome.code.trim()),
                    Optional.ofNullable(org));
            Printer printer = context.printer();
            Integration i = result.integration();
            if (printer.json()) {
                printer.json(new IntegrationsCommand.AddOutput(i, result.created()));
            } else {
                printer.line((result.created() ? "connected" : "reconnected") + " " + i.platform() + " account "
                        + i.externalAccountId() + Optional.ofNullable(i.accountName()).map(n -> " (" + n + ")").orElse("")
                        + " for org " + i.orgId() + " as integration " + i.id() + "; token expires "
                        + Printer.time(i.tokenExpiresAt()));
            }
            return ExitCodes.OK;
        }
    }

}
