package io.cmis.platform.support;

import org.junit.jupiter.api.Assumptions;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Prometheus's own checker, from Debian's {@code prometheus} package. Skipped with a message where it
 * is not installed, unless {@code CMIS_TEST_REQUIRE_PROMTOOL=1} (CI sets it once it installed the
 * package): then its absence fails the test, so CI never passes with the rules untested.
 */
public final class Promtool {
    private Promtool() {
    }

    /** What promtool printed and how it ended. */
    public record Result(int exitCode, String output) {
    }

    /** Runs {@code promtool ARGS...} in {@code dir}, {@code stdin} (may be null) fed to it. */
    public static Result run(Path dir, String stdin, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(binary().toString());
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        if (stdin != null) {
            process.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
        }
        process.getOutputStream().close();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("promtool " + String.join(" ", args) + " did not end within 60 s");
        }
        return new Result(process.exitValue(), output);
    }

    private static Path binary() {
        Path promtool = Path.of(System.getenv().getOrDefault("CMIS_TEST_PROMTOOL", "/usr/bin/promtool"));
        if (!Files.isExecutable(promtool)) {
            String why = "promtool comes with Debian's prometheus package (apt-get install prometheus); not found: "
                    + promtool;
            if ("1".equals(System.getenv("CMIS_TEST_REQUIRE_PROMTOOL"))) {
                throw new IllegalStateException(why);
            }
            Assumptions.abort(why);
        }
        return promtool;
    }
}
