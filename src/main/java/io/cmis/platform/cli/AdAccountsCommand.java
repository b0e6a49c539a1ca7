package io.cmis.platform.cli;

import io.cmis.platform.sync.AdAccount;
import io.cmis.platform.sync.SyncedData;
import io.cmis.platform.tenancy.OrgId;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;

/** {@code ad-accounts list}. */
@Command(name = "ad-accounts", description = "Synced ad accounts.", subcommands = AdAccountsCommand.ListAdAccounts.class)
final class AdAccountsCommand {

    @Command(name = "list", description = "List synced ad accounts.")
    static final class ListAdAccounts implements Callable<Integer> {
        private final CliContext context;

        @Mixin
        ScopeOptions scope;

        ListAdAccounts(CliContext context) {
            this.context = context;
        }

        @Override
        public Integer call() {
            List<AdAccount> accounts = new SyncedData(context.tenancy()).adAccounts(scope.org(), scope.platform());
            Printer printer = context.printer();
            if (printer.json()) {
                printer.json(accounts);
                return ExitCodes.OK;
            }
            printer.table(List.of("ID", "ORG", "PLATFORM", "EXTERNAL ID", "NAME", "CURRENCY", "TIMEZONE", "STATUS"),
                    accounts.stream().map(a -> List.of(a.id().toString(), a.orgId().toString(), a.platform(),
                            a.externalId(), String.valueOf(a.name()), String.valueOf(a.currency()),
                            String.valueOf(a.timezone()), a.status())).toList(), "no ad accounts match");
            return ExitCodes.OK;
        }
    }
}
