package io.cmis.platform.cli;

import io.cmis.platform.retention.Pruner;
import io.cmis.platform.retention.RetentionSettings;
import io.cmis.platform.store.Database;
import io.cmis.platform.store.Schema;
import org.flywaydb.core.api.FlywayException;
import org.flywaydb.core.api.output.MigrateResult;
import org.postgresql.util.PSQLException;
import org.postgresql.util.ServerErrorMessage;
import picocli.CommandLine.Command;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;

/** {@code db setup}, {@code db migrate}, {@code db status} and {@code db prune}. */
@Command(name = "db", description = "Create, upgrade or inspect the database schema.",
        subcommands = {DbCommand.Setup.class, DbCommand.Migrate.class, DbCommand.Status.class, DbCommand.Prune.class})
final class DbCommand {

    @Command(name = "setup", description = "Print the SQL an administrator runs once (and again after the first "
            + "db migrate) for an external database: the owner that migrates, the runtime role cron and serve log in "
            + "as, the installation's roles, the schema; nothing is connected to.")
    static final class Setup implements Callable<Integer> {
        private final CliContext context;

        @picocli.CommandLine.Option(names = "--owner", defaultValue = "cmis_owner",
                description = "The role that owns the schema and runs db migrate (database.migration-user). Default: ${DEFAULT-VALUE}.")
        String owner;

        @picocli.CommandLine.Option(names = "--runtime-user",
                description = "The role cron and serve log in as (database.user). Default: database.user, else cmis.")
        String runtime;

        Setup(CliContext context) {
            this.context = context;
        }

        @Override
        public Integer call() {
            io.cmis.platform.config.DatabaseSettings settings = context.config().database();
            if (settings.embedded()) {
                throw new UsageException("db setup is for an external database: set database.url first "
                        + "(the embedded database needs no set-up)");
            }
            String database = org.postgresql.Driver.parseURL(settings.url().orElseThrow(), null).getProperty("PGDBNAME");
            if (database == null || database.isEmpty()) {
                throw new UsageException("database.url names no database; write jdbc:postgresql://HOST:PORT/DATABASE");
            }
            String user = runtime != null ? runtime : settings.user().isEmpty() ? "cmis" : settings.user();
            if (user.equals(owner)) {
                throw new UsageException("the runtime role and the owner must differ: the runtime role owns nothing");
            }
            io.cmis.platform.tenancy.InstallationRoles roles = settings.rolePrefix()
                    .map(io.cmis.platform.tenancy.InstallationRoles::ofPrefix)
                    .orElseGet(() -> io.cmis.platform.tenancy.InstallationRoles.derive(database));
            try {
                context.printer().line(io.cmis.platform.store.InstallationSetup.sql(database, roles, owner, user).strip());
            } catch (IllegalArgumentException e) {
                throw new UsageException(e.getMessage());
            }
            return ExitCodes.OK;
        }
    }

    @Command(name = "migrate", description = "Create or upgrade the schema; safe to run again and from several hosts.")
    static final class Migrate implements Callable<Integer> {
        private final CliContext context;

        Migrate(CliContext context) {
            this.context = context;
        }

        @Override
        public Integer call() {
            Database database = context.databaseForMigration();
            MigrateResult result;
            try {
                result = database.migrate(context.config().database().rolePrefix());
            } catch (FlywayException e) {
                throw new UsageException("migration failed: " + reason(e));
            }
            int version = database.schemaVersion().orElse(0);
            if (!database.embedded()) {
                io.cmis.platform.store.RuntimeRole.sharedRolesWarning(
                        org.jdbi.v3.core.Jdbi.create(database.migrationDataSource())).ifPresent(context::notice);
            }
            Printer printer = context.printer();
            if (printer.json()) {
                Map<String, Object> out = new LinkedHashMap<>();
                out.put("schema_version", version);
                out.put("migrations_applied", result.migrationsExecuted);
                printer.json(out);
            } else if (result.migrationsExecuted == 0) {
                printer.line("schema is up to date at version " + version);
            } else {
                printer.line("applied " + result.migrationsExecuted + " migration(s); schema is at version " + version);
            }
            return ExitCodes.OK;
        }

        /** The database's own words (message and hint), not Flyway's wrapper. */
        private static String reason(Throwable e) {
            for (Throwable t = e; t != null; t = t.getCause()) {
                if (t instanceof PSQLException sql && sql.getServerErrorMessage() != null) {
                    ServerErrorMessage server = sql.getServerErrorMessage();
                    return server.getMessage() + (server.getHint() == null ? "" : "; " + server.getHint());
                }
            }
            String text = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            return text.strip().lines().findFirst().orElse(text);
        }
    }

    @Command(name = "status", description = "Show the schema version of the database and of this build.")
    static final class Status implements Callable<Integer> {
        private final CliContext context;

        Status(CliContext context) {
            this.context = context;
        }

        @Override
        public Integer call() {
            Database database = context.databaseForMigration();
            Optional<Integer> version = database.schemaVersion();
            Printer printer = context.printer();
            boolean current = version.equals(Optional.of(Schema.EXPECTED_VERSION));
            if (printer.json()) {
                Map<String, Object> out = new LinkedHashMap<>();
                out.put("schema_version", version.orElse(null));
                out.put("expected_version", Schema.EXPECTED_VERSION);
                out.put("up_to_date", current);
                out.put("embedded", database.embedded());
                printer.json(out);
            } else {
                printer.line("database: " + (database.embedded() ? "embedded" : "external")
                        + ", schema version " + version.map(String::valueOf).orElse("none")
                        + ", this build expects " + Schema.EXPECTED_VERSION
                        + (current ? " (up to date)" : " (run 'cmis-platform db migrate')"));
            }
            return current ? ExitCodes.OK : ExitCodes.SOME_FAILED;
        }
    }

    @Command(name = "prune", description = "Delete what every growing table no longer keeps (the *.retention keys), "
            + "in small transactions; safe beside everything else, on several hosts, and to kill.")
    static final class Prune implements Callable<Integer> {
        private final CliContext context;

        Prune(CliContext context) {
            this.context = context;
        }

        @Override
        public Integer call() {
            Pruner pruner = new Pruner(context.tenancy(), context.clock(), RetentionSettings.from(context.config()));
            Pruner.Pruned pruned = pruner.pruneAll();
            Map<String, java.time.Duration> kept = pruner.retentions();
            Printer printer = context.printer();
            if (printer.json()) {
                Map<String, Object> out = new LinkedHashMap<>();
                pruned.deleted().forEach((table, n) -> {
                    Map<String, Object> row = new LinkedHashMap<>();
                    row.put("deleted", n);
                    row.put("older_than", io.cmis.platform.config.Durations.format(kept.get(table)));
                    if (table.equals("platform_api_calls")) {
                        row.put("partitions_dropped", pruned.partitionsDropped());
                        row.put("partitions_deferred", pruned.partitionsDeferred());
                        row.put("partitions_added", pruned.partitionsAdded());
                    }
                    out.put(table, row);
                });
                printer.json(out);
            } else {
                pruned.deleted().forEach((table, n) -> printer.line(table + ": deleted " + n + " older than "
                        + io.cmis.platform.config.Durations.format(kept.get(table))
                        + (table.equals("platform_api_calls") ? " (" + pruned.partitionsDropped()
                        + " day partitions dropped, " + pruned.partitionsDeferred() + " left locked for the next run, "
                        + pruned.partitionsAdded() + " added ahead)" : "")));
            }
            return ExitCodes.OK;
        }
    }
}
