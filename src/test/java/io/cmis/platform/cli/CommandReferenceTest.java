package io.cmis.platform.cli;

import io.cmis.platform.support.CliRun;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The README's command table cannot drift from the code: every command picocli knows (read from
 * the generated bash completion) has its row. And the completion script is a usable one.
 */
class CommandReferenceTest {
    private static final Pattern FUNCTION = Pattern.compile("(?m)^function _picocli_cmis-platform_([a-z_]+)\\(\\)");

    @Test
    void every_command_has_a_row_in_the_readme_and_completion_covers_them() throws Exception {
        String script = CliRun.withoutDatabase().run("completion").ok().stdout();
        assertThat(script).contains("complete -F _complete_cmis-platform");

        List<String> commands = new ArrayList<>();
        Matcher m = FUNCTION.matcher(script);
        while (m.find()) {
            commands.add(m.group(1));
        }
        // Groups (webhooks, tokens, ...) have their leaves listed; a leaf is a command without children.
        List<String> leaves = commands.stream()
                .filter(c -> commands.stream().noneMatch(other -> other.startsWith(c + "_"))).toList();
        assertThat(leaves).contains("webhooks_replay", "health", "serve", "completion", "tokens_rotatekey");

        Set<String> documented = new HashSet<>();
        for (String line : Files.readAllLines(Path.of("README.md"))) {
            if (line.startsWith("| `")) {
                String command = line.substring(3, line.indexOf('`', 3));
                StringBuilder words = new StringBuilder();
                for (String word : command.split(" ")) {
                    if (!word.matches("[a-z][a-z-]*")) {
                        break;
                    }
                    words.append(words.length() == 0 ? "" : "_").append(word.replace("-", ""));
                }
                documented.add(words.toString());
            }
        }
        assertThat(documented).as("README command table").containsAll(leaves);
    }
}
