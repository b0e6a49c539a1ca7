package io.cmis.platform.cli;

import io.cmis.platform.api.ApiKey;
import io.cmis.platform.api.ApiKeys;
import io.cmis.platform.api.ApiScope;
import io.cmis.platform.api.NewApiKey;
import io.cmis.platform.tenancy.OrgId;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Callable;

/** {@code api-keys create | list | revoke}: the application's keys to serve's {@code /api/v1}, one org each. */
@Command(name = "api-keys", description = "Keys with which the application calls serve's /api/v1, one org each.",
        subcommands = {ApiKeysCommand.Create.class, ApiKeysCommand.ListKeys.class, ApiKeysCommand.Revoke.class})
final class ApiKeysCommand {

    static ApiKeys keys(CliContext context) {
        return new ApiKeys(context.tenancy(), context.clock(), context.random());
    }

    /** Who ran a command, for the records that say so: the OS user (never an argument the caller chose). */
    static String operator() {
        return "cli:" + Optional.ofNullable(System.getProperty("user.name")).orElse("unknown");
    }

    @Command(name = "create", description = "Create a key for one org and print it, once: only its hash is kept. "
            + "Text mode prints the key alone on stdout (the details on stderr), so KEY=$(...) captures it.")
    static final class Create implements Callable<Integer> {
        private final CliContext context;

        @Option(names = "--org", required = true, paramLabel = "ORG", converter = Converters.Org.class,
                description = "The org the key acts for; every request made with it sees this org only.")
        OrgId org;

        @Option(names = "--name", required = true, paramLabel = "NAME",
                description = "What the key is for (e.g. 'publisher service'), shown by list.")
        String name;

        @Option(names = "--scopes", split = ",", paramLabel = "SCOPE",
                description = "Comma-separated: integrations:read, credentials:read, connect (default: integrations:read).")
        List<String> scopes;

        Create(CliContext context) {
            this.context = context;
        }

        @Override
        public Integer call() {
            Set<ApiScope> granted = EnumSet.noneOf(ApiScope.class);
            for (String s : scopes == null ? List.of(ApiScope.INTEGRATIONS_READ.text()) : scopes) {
                granted.add(ApiScope.parse(s.trim()).orElseThrow(() -> new UsageException("--scopes: '" + s.trim()
                        + "' is not a scope; use " + String.join(", ", ApiScope.names()))));
            }
            if (name.isBlank() || name.length() > 100) {
                throw new UsageException("--name must be 1 to 100 characters");
            }
            NewApiKey created = keys(context).create(org, name, granted, operator());
            Printer printer = context.printer();
            if (printer.json()) {
                Map<String, Object> out = describe(created.key());
                out.put("key", created.value().reveal());
                printer.json(out);
            } else {
                context.notice("created API key " + created.key().id() + " (" + created.key().prefix() + "…) for org "
                        + org + " with " + String.join(", ", created.key().scopes())
                        + "; it is printed once, store it now");
                printer.line(created.value().reveal());
            }
            return ExitCodes.OK;
        }
    }

    @Command(name = "list", description = "List keys (never the keys themselves).")
    static final class ListKeys implements Callable<Integer> {
        private final CliContext context;

        @Option(names = "--org", paramLabel = "ORG", converter = Converters.Org.class, description = "Only this organization.")
        OrgId org;

        ListKeys(CliContext context) {
            this.context = context;
        }

        @Override
        public Integer call() {
            List<ApiKey> listed = keys(context).list(Optional.ofNullable(org));
            Printer printer = context.printer();
            if (printer.json()) {
                printer.json(listed.stream().map(ApiKeysCommand::describe).toList());
                return ExitCodes.OK;
            }
            printer.table(List.of("ID", "ORG", "NAME", "PREFIX", "SCOPES", "CREATED", "LAST USED", "REVOKED"),
                    listed.stream().map(k -> List.of(k.id().toString(), k.orgId().toString(), k.name(), k.prefix(),
                            String.join(",", k.scopes()), Printer.time(k.createdAt()), Printer.time(k.lastUsedAt()),
                            Printer.time(k.revokedAt()))).toList(), "no API keys");
            return ExitCodes.OK;
        }
    }

    @Command(name = "revoke", description = "Revoke a key: every serve host refuses it from its next request.")
    static final class Revoke implements Callable<Integer> {
        private final CliContext context;

        @Parameters(index = "0", paramLabel = "ID", converter = Converters.Id.class)
        UUID id;

        Revoke(CliContext context) {
            this.context = context;
        }

        @Override
        public Integer call() {
            Optional<Boolean> revoked = keys(context).revoke(id);
            if (revoked.isEmpty()) {
                throw new UsageException("there is no API key " + id + "; see 'cmis-platform api-keys list'");
            }
            Printer printer = context.printer();
            if (printer.json()) {
                Map<String, Object> out = new LinkedHashMap<>();
                out.put("id", id);
                out.put("revoked", true);
                out.put("changed", revoked.get());
                printer.json(out);
            } else {
                printer.line(revoked.get() ? "revoked API key " + id : "API key " + id + " was already revoked");
            }
            return ExitCodes.OK;
        }
    }

    static Map<String, Object> describe(ApiKey key) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("id", key.id());
        out.put("org_id", key.orgId());
        out.put("name", key.name());
        out.put("prefix", key.prefix());
        out.put("scopes", key.scopes());
        out.put("created_at", key.createdAt());
        out.put("created_by", key.createdBy());
        out.put("last_used_at", key.lastUsedAt());
        out.put("revoked_at", key.revokedAt());
        return out;
    }
}
