package io.cmis.platform.cli;

import io.cmis.platform.api.ChannelNotFoundException;
import io.cmis.platform.api.CredentialReader;
import io.cmis.platform.api.Credentials;
import io.cmis.platform.api.CredentialsDocument;
import io.cmis.platform.api.CredentialsRefusedException;
import io.cmis.platform.tenancy.OrgId;
import io.cmis.platform.tokens.AccessTokens;
import io.cmis.platform.tokens.TokenSettings;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Callable;

/**
 * {@code tokens get}: the credentials document of the API ({@code POST /api/v1/.../credentials}) for a
 * support engineer, on stdout only, refreshed first when due and recorded as a read by
 * {@code cli:<os user>}.
 */
@Command(name = "get", description = "Print an integration's (or with --channel, a channel's) credentials as JSON: "
        + "the access token valid for at least tokens.refresh-before (refreshed first when not), its type, expiry, "
        + "scopes, account id and what the platform needs beside it. The token is printed on stdout only; the read "
        + "is recorded (credential_reads). Exit 1 when only a reconnect helps or a refresh failed for now.")
final class TokensGetCommand implements Callable<Integer> {
    private final CliContext context;

    @Parameters(index = "0", paramLabel = "INTEGRATION_ID", converter = Converters.Id.class)
    UUID integration;

    @Option(names = "--channel", paramLabel = "ID", converter = Converters.Id.class,
            description = "A channel of the integration with a token of its own (a Facebook Page's page token).")
    UUID channel;

    TokensGetCommand(CliContext context) {
        this.context = context;
    }

    /**
     * The credentials service, as serve and this command build it. Not through {@link TokensCommand#refresher}:
     * its pool-size check is about the sweep's concurrency, and serve must start where it started before.
     */
    static Credentials credentials(CliContext context) {
        TokenSettings settings = TokenSettings.from(context.config());
        AccessTokens tokens = new AccessTokens(context.tenancy(), context.vault(), context.platforms().registry(),
                new io.cmis.platform.tokens.TokenRefresher(context.tenancy(), context.vault(),
                        context.platforms().registry(), settings, context.clock()), settings, context.clock());
        return new Credentials(context.tenancy(), context.vault(), context.platforms().registry(), tokens,
                context.clock());
    }

    @Override
    public Integer call() {
        OrgId org = new OrgId(IntegrationsCommand.service(context).show(integration).orgId());
        CredentialReader reader = CredentialReader.cli(System.getProperty("user.name"));
        CredentialsDocument document;
        try {
            document = channel == null ? credentials(context).ofIntegration(org, integration, reader)
                    : credentials(context).ofChannel(org, channel, Optional.of(integration), reader);
        } catch (ChannelNotFoundException e) {
            throw new UsageException("integration " + integration + " has no channel " + channel
                    + " (see 'channels list --json')");
        } catch (CredentialsRefusedException e) {
            context.notice("error: " + e.code() + ": " + e.getMessage().lines().findFirst().orElse(""));
            return ExitCodes.SOME_FAILED;
        }
        context.printer().json(document);
        return ExitCodes.OK;
    }
}
