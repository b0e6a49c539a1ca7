package io.cmis.platform.e2e;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code bin/cmis-platform} itself, run as an operator would: from elsewhere, through a link. */
class BinScriptIT {
    private static final Path SCRIPT = Path.of("bin/cmis-platform").toAbsolutePath();

    @TempDir
    Path elsewhere;

    record Run(int exitCode, String stdout, String stderr) {
    }

    @Test
    void help_and_version_work_from_any_directory() throws Exception {
        Run help = run(SCRIPT, "--help");
        assertThat(help.exitCode()).as(help.stderr()).isZero();
        assertThat(help.stdout()).contains("Usage: cmis-platform").contains("integrations");
        assertThat(help.stderr()).as("a fresh jar is not rebuilt").doesNotContain("building");

        Run version = run(SCRIPT, "--version");
        assertThat(version.stdout()).startsWith("cmis-platform 0.1.0");
    }

    @Test
    void integrations_list_works_on_the_embedded_default_through_a_symlink() throws Exception {
        Path link = elsewhere.resolve("cmis");
        Files.createSymbolicLink(link, SCRIPT);

        Run first = run(link, "integrations", "list");
        assertThat(first.exitCode()).as(first.stderr()).isZero();
        assertThat(first.stdout()).isEqualTo("no integrations match\n");
        assertThat(first.stderr()).contains("generated an encryption key");

        Run json = run(link, "--json", "integrations", "list");
        assertThat(json.stdout().strip()).isEqualTo("[ ]");
        assertThat(json.stderr()).isEmpty();
    }

    @Test
    void a_usage_error_is_one_line_on_stderr_and_exit_2() throws Exception {
        Run bad = run(SCRIPT, "integrations", "list", "--org", "acme");
        assertThat(bad.exitCode()).isEqualTo(2);
        assertThat(bad.stdout()).isEmpty();
        assertThat(bad.stderr().strip().lines()).hasSize(1);
        assertThat(bad.stderr()).contains("'acme' is not an organization id");
    }

    private Run run(Path script, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(script.toString()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).directory(elsewhere.toFile());
        builder.environment().keySet().removeIf(k -> k.startsWith("CMIS_"));
        builder.environment().put("CMIS_DATA_DIR", elsewhere.resolve("data").toString());
        Path out = elsewhere.resolve("out.txt");
        Path err = elsewhere.resolve("err.txt");
        builder.redirectOutput(out.toFile()).redirectError(err.toFile());
        Process process = builder.start();
        if (!process.waitFor(120, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("bin/cmis-platform did not finish");
        }
        return new Run(process.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                Files.readString(err, StandardCharsets.UTF_8));
    }
}
