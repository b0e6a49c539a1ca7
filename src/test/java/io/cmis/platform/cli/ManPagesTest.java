package io.cmis.platform.cli;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The build renders one man page per command (ReleaseDocs, then asciidoctor, before the tests):
 * this fails the build when a command has none, or when a page misses one of its command's options.
 */
class ManPagesTest {
    private static final Path MAN = Path.of("target", "man");

    @Test
    void every_command_has_a_man_page_naming_all_its_options() throws Exception {
        CommandLine tree = Cli.create(Map.of(), null, new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8), Clock.systemUTC()).commandTree();
        List<CommandLine> commands = new ArrayList<>();
        collect(tree, commands);
        assertThat(commands).hasSizeGreaterThan(30);

        for (CommandLine command : commands) {
            String name = command.getCommandSpec().qualifiedName("-");
            Path page = MAN.resolve(name + ".1");
            assertThat(page).as("man page of '%s'", command.getCommandSpec().qualifiedName()).isRegularFile();
            // troff writes a hyphen as \- ; the page's text with that undone
            String text = Files.readString(page).replace("\\-", "-").replace("\\(em", "--");
            assertThat(text).as(name).contains(".TH \"" + name.toUpperCase(java.util.Locale.ROOT) + "\"");
            for (OptionSpec option : command.getCommandSpec().options()) {
                if (!option.hidden()) {
                    assertThat(text).as("%s names %s", name, option.longestName()).contains(option.longestName());
                }
            }
        }
    }

    private static void collect(CommandLine command, List<CommandLine> out) {
        out.add(command);
        command.getSubcommands().values().stream().distinct().forEach(sub -> collect(sub, out));
    }
}
