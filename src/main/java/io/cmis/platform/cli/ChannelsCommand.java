package io.cmis.platform.cli;

import io.cmis.platform.sync.Channel;
import io.cmis.platform.sync.SyncedData;
import io.cmis.platform.tenancy.OrgId;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;

/** {@code channels list}. */
@Command(name = "channels", description = "Synced channels: Meta's Facebook pages and Instagram business accounts, Google's YouTube "
        + "channels, TikTok accounts, Snapchat public profiles, LinkedIn pages and X accounts.",
        subcommands = ChannelsCommand.ListChannels.class)
final class ChannelsCommand {

    @Command(name = "list", description = "List synced channels (never their tokens).")
    static final class ListChannels implements Callable<Integer> {
        private final CliContext context;

        @Mixin
        ScopeOptions scope;

        ListChannels(CliContext context) {
            this.context = context;
        }

        @Override
        public Integer call() {
            List<Channel> channels = new SyncedData(context.tenancy()).channels(scope.org(), scope.platform());
            Printer printer = context.printer();
            if (printer.json()) {
                printer.json(channels);
                return ExitCodes.OK;
            }
            printer.table(List.of("ID", "ORG", "PLATFORM", "TYPE", "EXTERNAL ID", "NAME", "STATUS"),
                    channels.stream().map(c -> List.of(c.id().toString(), c.orgId().toString(), c.platform(), c.type(),
                            c.externalId(), String.valueOf(c.name()), c.status())).toList(), "no channels match");
            return ExitCodes.OK;
        }
    }
}
