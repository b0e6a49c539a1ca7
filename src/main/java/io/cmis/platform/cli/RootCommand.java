package io.cmis.platform.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

import java.nio.file.Path;

/** {@code cmis-platform}: the root command; its options are accepted anywhere on the line. */
@Command(name = "cmis-platform",
        mixinStandardHelpOptions = true,
        scope = ScopeType.INHERIT,
        versionProvider = VersionProvider.class,
        resourceBundle = PlatformText.BUNDLE,
        description = "Keeps the connections of many organizations to ${bundle:cmis.platforms} correct and healthy.",
        subcommands = {
                DbCommand.class,
                ConnectCommand.class,
                IntegrationsCommand.class,
                ApiKeysCommand.class,
                SyncCommand.class,
                ChannelsCommand.class,
                AdAccountsCommand.class,
                TokensCommand.class,
                WebhooksCommand.class,
                ServeCommand.class,
                HealthCommand.class,
                AlertsCommand.class,
                CompletionCommand.class,
                DemoCommand.class,
                ConfigCommand.class,
                SandboxCommand.class,
        },
        footer = {"", "Exit codes: 0 all done, 1 some items failed, 2 usage or configuration error; health: 0 healthy, "
                + "1 warning, 2 critical, 3 unknown."})
public final class RootCommand implements Runnable {
    private final CliContext context;

    @Spec
    CommandSpec spec;

    public RootCommand(CliContext context) {
        this.context = context;
    }

    @Option(names = "--config", paramLabel = "FILE", scope = ScopeType.INHERIT,
            description = "Configuration file overriding the defaults (environment variables override both); "
                    + "default: the file named by CMIS_CONFIG, if set.")
    void setConfig(Path file) {
        context.options.configFile = file;
    }

    @Option(names = "--json", scope = ScopeType.INHERIT, description = "Print one JSON document on stdout.")
    void setJson(boolean json) {
        context.options.json = json;
    }

    @Option(names = {"-v", "--verbose"}, scope = ScopeType.INHERIT,
            description = "Debug logging, and stack traces with errors.")
    void setVerbose(boolean verbose) {
        context.options.verbose = verbose;
    }

    @Override
    public void run() {
        throw new picocli.CommandLine.ParameterException(spec.commandLine(), "name a command");
    }
}
