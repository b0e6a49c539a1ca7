package io.cmis.platform.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code demo}: the whole product against the sandbox, on a demo database; doubles as a smoke test. */
@Command(name = "demo", description = "Run the whole cycle against the platform sandbox on a fresh embedded database "
        + "(never your real one): two organizations, OAuth connect on ${bundle:cmis.platforms}, sync, signed webhooks "
        + "with duplicates and a forgery, token refresh with one revoked grant, a failing platform opening its "
        + "breaker, health. Exit 0 when every step behaved as expected.")
final class DemoCommand implements Callable<Integer> {
    private final CliContext context;

    @Option(names = "--serve", description = "Afterwards keep serve running and print the dashboard URL (Ctrl-C stops).")
    boolean serve;

    @Option(names = "--data-dir", paramLabel = "DIR", description = "Where the demo database lives (default: a new "
            + "temporary directory, deleted afterwards unless --serve).")
    Path dataDir;

    DemoCommand(CliContext context) {
        this.context = context;
    }

    @Override
    public Integer call() throws Exception {
        return new Demo(context, dataDir, serve).run() ? ExitCodes.OK : ExitCodes.SOME_FAILED;
    }
}
