package io.cmis.platform.cli;

import io.cmis.platform.platforms.ConnectorRegistry;
import io.cmis.platform.sandbox.Sandbox;
import io.cmis.platform.support.CliRun;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Help, man pages and the README name every registered platform wherever they list platforms, so
 * that adding a platform cannot leave one of them naming fewer. A text "lists platforms" when it
 * names three or more (by name or id); a remark about one or two ("TikTok: auth_code, X:
 * oauth_verifier") is not a list.
 */
class PlatformListsTest {
    private static final int A_LIST = 3;

    @Test
    void the_registry_and_the_sandbox_know_the_same_platforms() {
        assertThat(Sandbox.PLATFORMS).containsExactlyInAnyOrderElementsOf(ConnectorRegistry.knownIds());
        assertThat(ConnectorRegistry.displayNames()).hasSameSizeAs(ConnectorRegistry.knownIds());
    }

    @Test
    void root_sandbox_and_demo_help_name_every_platform_and_sandbox_one_port_per_simulator() {
        for (String[] args : List.of(new String[]{"--help"}, new String[]{"sandbox", "--help"},
                new String[]{"demo", "--help"}, new String[]{"integrations", "add", "--help"})) {
            String help = CliRun.withoutDatabase().run(args).ok().stdout().replaceAll("\\s+", " ");
            assertThat(missing(help)).as("%s names every platform: %s", String.join(" ", args), help).isEmpty();
        }
        String sandbox = CliRun.withoutDatabase().run("sandbox", "--help").ok().stdout().replaceAll("\\s+", " ");
        int last = Sandbox.PLATFORMS.size() - 1;
        assertThat(sandbox).contains("on N+" + last).doesNotContain("N+" + (last + 1));
    }

    @Test
    void every_help_text_that_lists_platforms_names_all_of_them() {
        List<String> stale = new ArrayList<>();
        for (CommandSpec command : commands()) {
            List<String> texts = new ArrayList<>();
            texts.add(String.join(" ", command.usageMessage().description()));
            for (ArgSpec arg : command.args()) {
                texts.add(String.join(" ", arg.description()));
            }
            for (String text : texts) {
                if (names(text) >= A_LIST && !missing(text).isEmpty()) {
                    stale.add(command.qualifiedName() + ": " + text + " (misses " + missing(text) + ")");
                }
            }
        }
        assertThat(stale).isEmpty();
    }

    @Test
    void every_man_page_paragraph_that_lists_platforms_names_all_of_them() throws Exception {
        List<String> stale = new ArrayList<>();
        int pages = 0;
        try (Stream<Path> files = Files.list(Path.of("target", "man"))) {
            for (Path page : files.filter(p -> p.toString().endsWith(".1")).toList()) {
                pages++;
                // troff: a paragraph ends at a request line (.PP, .sp, ...); a hyphen is written \-
                String text = Files.readString(page).replace("\\-", "-").replace("\\(em", "--");
                for (String paragraph : text.split("(?m)^\\.[A-Za-z]+.*$")) {
                    String flat = paragraph.replaceAll("\\s+", " ");
                    if (names(flat) >= A_LIST && !missing(flat).isEmpty()) {
                        stale.add(page.getFileName() + ": " + flat.strip() + " (misses " + missing(flat) + ")");
                    }
                }
            }
        }
        assertThat(pages).isGreaterThan(30);
        assertThat(stale).isEmpty();
        String root = Files.readString(Path.of("target", "man", "cmis-platform.1")).replaceAll("\\s+", " ");
        assertThat(missing(root)).as("the root man page names every platform").isEmpty();
    }

    @Test
    void the_readme_commands_section_lists_every_platform_and_one_sandbox_port_per_simulator() throws Exception {
        String readme = Files.readString(Path.of("README.md"));
        String commands = readme.substring(readme.indexOf("\n## Commands"), readme.indexOf("\n## Configuration"));
        List<String> stale = new ArrayList<>();
        for (String paragraph : commands.split("\n\\s*\n|\n(?=\\|)")) {
            String flat = paragraph.replaceAll("\\s+", " ");
            if (names(flat) >= A_LIST && !missing(flat).isEmpty()) {
                stale.add(flat + " (misses " + missing(flat) + ")");
            }
        }
        assertThat(stale).isEmpty();
        String sandboxRow = commands.lines().filter(l -> l.startsWith("| `sandbox")).findFirst().orElseThrow();
        int last = Sandbox.PLATFORMS.size() - 1;
        assertThat(sandboxRow).contains("N+" + last).doesNotContain("N+" + (last + 1));
        assertThat(missing(sandboxRow)).as(sandboxRow).isEmpty();
        String platformsLine = commands.lines().filter(l -> l.startsWith("Platforms:")).findFirst().orElseThrow();
        assertThat(platformsLine).contains(ConnectorRegistry.knownIds().stream().map(id -> "`" + id + "`").toList());
    }

    /** How many registered platforms the text names, by name ("TikTok") or id ("tiktok"). */
    private static long names(String text) {
        return IntStream.range(0, ConnectorRegistry.knownIds().size()).filter(i -> named(text, i)).count();
    }

    private static List<String> missing(String text) {
        return IntStream.range(0, ConnectorRegistry.knownIds().size()).filter(i -> !named(text, i))
                .mapToObj(i -> ConnectorRegistry.displayNames().get(i)).toList();
    }

    private static boolean named(String text, int platform) {
        return word(ConnectorRegistry.displayNames().get(platform)).matcher(text).find()
                || word(ConnectorRegistry.knownIds().get(platform)).matcher(text).find();
    }

    /** The word alone: "X" in "LinkedIn and X", not in "X-Forwarded-For" or "N+X". */
    private static Pattern word(String word) {
        return Pattern.compile("(?<![\\w+-])" + Pattern.quote(word) + "(?![\\w-])");
    }

    private static List<CommandSpec> commands() {
        CommandLine tree = Cli.create(Map.of(), null,
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8), Clock.systemUTC())
                .commandTree();
        List<CommandSpec> out = new ArrayList<>();
        collect(tree, out);
        assertThat(out).hasSizeGreaterThan(30);
        return out;
    }

    private static void collect(CommandLine command, List<CommandSpec> out) {
        out.add(command.getCommandSpec());
        command.getSubcommands().values().stream().distinct().forEach(sub -> collect(sub, out));
    }
}
