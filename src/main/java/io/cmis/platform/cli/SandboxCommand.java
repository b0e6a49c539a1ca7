package io.cmis.platform.cli;

import io.cmis.platform.sandbox.Sandbox;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.time.Clock;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

/** {@code sandbox}: the platform simulators, standalone, until stopped. */
@Command(name = "sandbox", description = "Run the ${bundle:cmis.platforms} simulators on loopback and print the "
        + "environment variables that point the tool at them. Runs until stopped (Ctrl-C).")
final class SandboxCommand implements Callable<Integer> {
    static final int DEFAULT_PORT_BASE = 18400;
    private final CliContext context;

    @Option(names = "--port-base", paramLabel = "N", defaultValue = "" + DEFAULT_PORT_BASE,
            description = "${bundle:cmis.sandbox-ports} (default ${DEFAULT-VALUE}; 0 picks free ports).")
    int portBase;

    SandboxCommand(CliContext context) {
        this.context = context;
    }

    @Override
    public Integer call() throws InterruptedException {
        if (portBase != 0 && (portBase < 1024 || portBase > 65530)) {
            throw new UsageException("--port-base must be 0 or from 1024 to 65530, got " + portBase);
        }
        CountDownLatch stopped = new CountDownLatch(1);
        try (Sandbox sandbox = startOnPorts()) {
            Runtime.getRuntime().addShutdownHook(new Thread(stopped::countDown, "sandbox-stop"));
            Map<String, String> env = sandbox.environment();
            Printer printer = context.printer();
            if (printer.json()) {
                printer.json(env);
            } else {
                env.forEach((name, value) -> printer.line("export " + name + "=" + value));
            }
            context.notice("sandbox running: Meta " + sandbox.meta().baseUrl() + ", Google " + sandbox.google().baseUrl()
                    + ", TikTok " + sandbox.tiktok().baseUrl() + ", Snapchat " + sandbox.snapchat().baseUrl()
                    + ", LinkedIn " + sandbox.linkedin().baseUrl() + ", X " + sandbox.x().baseUrl()
                    + "; Ctrl-C stops it");
            stopped.await();
        }
        return ExitCodes.OK;
    }

    private Sandbox startOnPorts() {
        try {
            return Sandbox.start(portBase, Clock.systemUTC());
        } catch (IllegalStateException e) {
            throw new UsageException(e.getMessage() + "; choose another --port-base");
        }
    }
}
