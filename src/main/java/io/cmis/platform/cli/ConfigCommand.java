package io.cmis.platform.cli;

import io.cmis.platform.config.AppConfig;
import io.cmis.platform.config.ConfigLoader;
import io.cmis.platform.config.ConfigValue;
import picocli.CommandLine.Command;

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
            if (printer.json()) {
                Map<String, Object> out = new LinkedHashMap<>();
                for (ConfigValue v : config.all()) {
                    out.put(v.key(), Map.of("value", v.displayValue(), "source", source(v)));
                }
                printer.json(out);
                return ExitCodes.OK;
            }
            printer.table(List.of("KEY", "VALUE", "SOURCE"),
                    config.all().stream().map(v -> List.of(v.key(), v.displayValue(), source(v))).toList(),
                    "no configuration");
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
