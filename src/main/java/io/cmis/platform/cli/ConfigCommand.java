package io.cmis.platform.cli;

import io.cmis.platform.config.AppConfig;
import io.cmis.platform.config.BuildInfo;
import io.cmis.platform.config.ConfigLoader;
import io.cmis.platform.config.ConfigValue;
import picocli.CommandLine.Command;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code config show}. */
@Command(name = "config", description = "Inspect the configuration.", subcommands = ConfigCommand.Show.class)
final class ConfigCommand {

    @Command(name = "show", description = "Print the effective configuration, secrets masked, with where each value came from.")
    static final class Show implements Callable<Integer> {
        private final CliContext context;

        Show(CliContext context) {
            this.context = context;
        }

        @Override
        public Integer call() {
            AppConfig config = context.config();
            Printer printer = context.printer();
            // Which build reads this configuration, in the same shape as a key (source "build").
            BuildInfo build = BuildInfo.current();
            List<List<String>> rows = new ArrayList<>(List.of(List.of("build.version", build.version(), "build"),
                    List.of("build.commit", build.commit(), "build"), List.of("build.time", build.buildTime(), "build")));
            config.all().forEach(v -> rows.add(List.of(v.key(), v.displayValue(), source(v))));
            if (printer.json()) {
                Map<String, Object> out = new LinkedHashMap<>();
                rows.forEach(row -> out.put(row.get(0), Map.of("value", row.get(1), "source", row.get(2))));
                printer.json(out);
                return ExitCodes.OK;
            }
            printer.table(List.of("KEY", "VALUE", "SOURCE"), rows, "no configuration");
            return ExitCodes.OK;
        }

        private static String source(ConfigValue v) {
            return switch (v.source()) {
                case DEFAULT -> "default";
                case FILE -> "file";
                case ENVIRONMENT -> ConfigLoader.environmentName(v.key());
            };
        }
    }

}
