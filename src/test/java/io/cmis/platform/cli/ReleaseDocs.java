package io.cmis.platform.cli;

import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.codegen.docgen.manpage.ManPageGenerator;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;

/**
 * Part of the build (exec-maven-plugin, before the tests), not a test: writes, from the command tree
 * itself, one AsciiDoc man page per command (picocli's generator; asciidoctor then renders them as
 * man pages) and the bash and zsh completion scripts. Generated, so they cannot disagree with --help.
 */
public final class ReleaseDocs {
    private ReleaseDocs() {
    }

    /** @param args the AsciiDoc directory, the completion directory */
    public static void main(String[] args) throws IOException {
        Path adoc = Path.of(args[0]);
        Path completion = Path.of(args[1]);
        CommandLine tree = Cli.create(Map.of(), null, new PrintStream(System.out, true, StandardCharsets.UTF_8),
                System.err, Clock.systemUTC()).commandTree();
        Files.createDirectories(adoc);
        int failed = ManPageGenerator.generateManPage(adoc.toFile(), null, new boolean[0], true, tree.getCommandSpec());
        if (failed != 0) {
            throw new IllegalStateException("picocli's man page generator failed: " + failed);
        }
        Files.createDirectories(completion);
        String bash = AutoComplete.bash("cmis-platform", tree);
        Files.writeString(completion.resolve("cmis-platform.bash"), bash);
        // zsh runs the same script through its bash-completion emulation. The file is autoloaded as
        // the completion function on the first TAB: it defines the bash function, registers it for
        // later TABs, and completes this first one too.
        Files.writeString(completion.resolve("_cmis-platform"), "#compdef cmis-platform\n"
                + "autoload -U +X bashcompinit && bashcompinit\n"
                + bash
                + "\n_bash_complete -F _complete_cmis-platform \"$@\"\n");
    }
}
