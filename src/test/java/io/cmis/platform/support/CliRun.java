package io.cmis.platform.support;

import io.cmis.platform.cli.Cli;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;

/** Runs the real command line in-process with its own environment, clock and captured output. */
public final class CliRun {
    private final Map<String, String> environment = new HashMap<>();
    private Clock clock = Clock.systemUTC();

    public static CliRun against(String database) {
        CliRun run = new CliRun();
        run.env("CMIS_DATABASE_URL", TestPostgres.jdbcUrl(database));
        run.env("CMIS_DATABASE_USER", "postgres");
        run.env("CMIS_ENCRYPTION_KEYS", TestKeys.K1);
        run.env("CMIS_DATA_DIR", tempDataDir().toString());
        return run;
    }

    public static CliRun withoutDatabase() {
        CliRun run = new CliRun();
        run.env("CMIS_DATA_DIR", tempDataDir().toString());
        return run;
    }

    public CliRun env(String name, String value) {
        environment.put(name, value);
        return this;
    }

    private boolean terminal;

    public CliRun clock(Clock clock) {
        this.clock = clock;
        return this;
    }

    /** Runs as if stdout were a terminal. */
    public CliRun terminal() {
        this.terminal = true;
        return this;
    }

    public Result run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code;
        try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
             PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
            code = Cli.create(Map.copyOf(environment), null, o, e, clock, terminal).run(args);
        }
        return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8),
                out.toByteArray());
    }

    public record Result(int exitCode, String stdout, String stderr, byte[] stdoutBytes) {
        public Result(int exitCode, String stdout, String stderr) {
            this(exitCode, stdout, stderr, stdout.getBytes(StandardCharsets.UTF_8));
        }

        /** Fails with the whole output when the command did not exit 0. */
        public Result ok() {
            if (exitCode != 0) {
                throw new AssertionError("expected exit 0, got " + this);
            }
            return this;
        }

        public String all() {
            return stdout + stderr;
        }

        @Override
        public String toString() {
            return "exit " + exitCode + "\n--- stdout\n" + stdout + "--- stderr\n" + stderr;
        }
    }

    static Path tempDataDir() {
        try {
            return java.nio.file.Files.createTempDirectory("cmis-test-");
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
