package io.cmis.platform;

import io.cmis.platform.cli.Cli;

import java.nio.file.Path;
import java.time.Clock;

/** Entry point of {@code bin/cmis-platform}. */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) {
        String home = System.getProperty("cmis.home");
        int code = Cli.create(System.getenv(), home == null ? null : Path.of(home), System.out, System.err,
                Clock.systemUTC()).run(args);
        System.exit(code);
    }
}
