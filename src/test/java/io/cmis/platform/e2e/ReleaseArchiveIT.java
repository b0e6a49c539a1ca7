package io.cmis.platform.e2e;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The release archive the build leaves in target/: unpacked in an empty directory, it runs with Java
 * alone (no Maven on the PATH, nothing built), and its launcher refuses an incomplete lib/ in one line.
 */
class ReleaseArchiveIT {
    @TempDir
    Path empty;

    record Run(int exitCode, String stdout, String stderr) {
    }

    @Test
    void the_unpacked_archive_runs_with_java_alone_and_holds_everything_it_lists() throws Exception {
        Path archive;
        try (Stream<Path> files = Files.list(Path.of("target"))) {
            archive = files.filter(p -> p.getFileName().toString().matches("cmis-platform-.+\\.tar\\.gz"))
                    .findFirst().orElseThrow(() -> new AssertionError("no release archive in target/"));
        }
        Process untar = new ProcessBuilder("tar", "-xzf", archive.toAbsolutePath().toString()).directory(empty.toFile())
                .inheritIO().start();
        assertThat(untar.waitFor()).isZero();
        Path home;
        try (Stream<Path> dirs = Files.list(empty)) {
            home = dirs.findFirst().orElseThrow();
        }
        assertThat(home.getFileName().toString()).startsWith("cmis-platform-");
        assertThat(home.resolve("bin/cmis-platform")).isExecutable();
        for (String expected : List.of("config/cmis-platform.properties", "config/crontab",
                "config/cmis-platform-serve.service", "config/cmis-platform-work.service", "config/env.example",
                "man/cmis-platform.1", "man/cmis-platform-webhooks-work.1",
                "man/cmis-platform-sync.1", "man/cmis-platform-tokens-refresh.1", "completion/cmis-platform.bash",
                "completion/_cmis-platform", "README.md", "THIRD-PARTY.txt", "lib/cmis-platform.jar", "openapi.json")) {
            assertThat(home.resolve(expected)).as(expected).isRegularFile();
        }
        for (String kit : List.of("config/prometheus/cmis-platform.rules.yml",
                "config/prometheus/cmis-platform.rules.test.yml", "config/grafana/cmis-platform.json")) {
            assertThat(home.resolve(kit)).as("the operators' kit: " + kit).hasSameBinaryContentAs(Path.of(kit));
        }
        assertThat(Files.readString(home.resolve("openapi.json"))).as("the OpenAPI document serve answers")
                .isEqualTo(io.cmis.platform.api.OpenApiDocument.load().json());
        assertThat(home.resolve("pom.xml")).doesNotExist();
        assertThat(Files.readString(home.resolve("THIRD-PARTY.txt"))).contains("picocli").contains("PostgreSQL");

        Run version = run(home, "--version");
        assertThat(version.exitCode()).as(version.stderr()).isZero();
        assertThat(version.stdout()).matches("(?s)cmis-platform \\S+ \\(commit [0-9a-f]{7,}(-dirty)?, built "
                + "\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ\\)\n.*");
        assertThat(version.stderr()).isEmpty();

        String firstDependency = Files.readString(home.resolve("lib/classpath.txt")).strip().split(":")[0];
        Files.delete(home.resolve(firstDependency));
        Run broken = run(home, "--version");
        assertThat(broken.exitCode()).isEqualTo(2);
        assertThat(broken.stderr().strip().lines()).hasSize(1);
        assertThat(broken.stderr()).contains("lib is incomplete").contains(firstDependency).contains("reinstall");
    }

    private Run run(Path home, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(home.resolve("bin/cmis-platform").toString()));
        command.addAll(List.of(args));
        return exec(empty, command);
    }

    /** A PATH with Java and the few shell tools the launcher uses: no Maven, no compiler. */
    private Path javaOnlyPath() throws Exception {
        Path tools = empty.resolve("path");
        if (!Files.isDirectory(tools)) {
            Files.createDirectories(tools);
            for (String tool : List.of("bash", "dirname", "readlink", "cksum", "cut", "stat", "mkdir", "mv", "rm", "id")) {
                Path found = Stream.of("/usr/bin", "/bin").map(d -> Path.of(d, tool)).filter(Files::isExecutable)
                        .findFirst().orElseThrow(() -> new AssertionError("no " + tool));
                Files.createSymbolicLink(tools.resolve(tool), found);
            }
        }
        return tools;
    }

    private Run exec(Path dir, List<String> command) throws Exception {
        ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile());
        builder.environment().keySet().removeIf(k -> k.startsWith("CMIS_"));
        Path java = Path.of(System.getProperty("java.home"), "bin");
        builder.environment().put("PATH", java + ":" + javaOnlyPath());
        builder.environment().put("CMIS_DATA_DIR", empty.resolve("data").toString());
        builder.environment().put("HOME", empty.toString());
        Path out = Files.createTempFile(empty, "out", ".txt");
        Path err = Files.createTempFile(empty, "err", ".txt");
        builder.redirectOutput(out.toFile()).redirectError(err.toFile());
        Process process = builder.start();
        if (!process.waitFor(120, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError(command + " did not finish");
        }
        return new Run(process.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                Files.readString(err, StandardCharsets.UTF_8));
    }
}
