package io.cmis.platform.cli;

import io.cmis.platform.health.Liveness;
import io.cmis.platform.server.LivenessServer;
import io.cmis.platform.webhooks.WebhookSettings;
import io.cmis.platform.webhooks.WebhookWorkers;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

/**
 * {@code webhooks work}: serve's webhook workers without its HTTP intake, for hosts that only process
 * (intake-only {@code serve} hosts run with {@code webhooks.workers=0}). The same workers, started
 * the same way ({@link WebhookWorkerStart}), with {@code /health/live} and SIGTERM as serve has them.
 */
@Command(name = "work", description = "Run webhook workers until stopped, without intake (SIGTERM: stop claiming, "
        + "finish the events in hand, give the rest back, exit 0); GET /health/live on --bind:--port.")
final class WebhooksWorkCommand implements Callable<Integer> {
    /** Beside the workers' connections: one to spare (alerts delivered at the end of the run). */
    private static final int OTHER_CONNECTIONS = 1;

    private final CliContext context;

    @Option(names = "--workers", paramLabel = "N", description = "Webhook workers, 1 to 64 (default: webhooks.workers).")
    Integer workers;

    @Option(names = "--port", paramLabel = "PORT", description = "Where /health/live answers (default: "
            + "webhooks.work-port, 8081); 0 picks a free port.")
    Integer port;

    @Option(names = "--bind", paramLabel = "ADDRESS", description = "Default: serve.bind (127.0.0.1).")
    String bind;

    WebhooksWorkCommand(CliContext context) {
        this.context = context;
    }

    @Override
    public Integer call() {
        WebhookSettings settings = WebhookSettings.from(context.config());
        int count = WebhookWorkerStart.count(workers, settings, 1, "webhooks work");
        int listenPort = port != null ? port : context.config().wholeNumber("webhooks.work-port", 0, 65535);
        if (listenPort < 0 || listenPort > 65535) {
            throw new UsageException("--port must be from 0 to 65535, got " + listenPort);
        }
        String address = bind != null ? bind : context.config().value("serve.bind").trim();
        WebhookWorkerStart.requirePool(context, count, OTHER_CONNECTIONS);
        context.database(); // the schema checked before anything listens or claims

        Liveness liveness = new Liveness();
        LivenessServer live;
        try {
            live = LivenessServer.start(new InetSocketAddress(address, listenPort), liveness);
        } catch (IOException e) {
            throw new UsageException("cannot listen on " + address + ":" + listenPort + " (" + e.getMessage()
                    + "); choose another --port or --bind");
        }
        WebhookWorkers running = WebhookWorkerStart.start(context, settings, count, "work", liveness, outcome -> {
        });
        ScheduledExecutorService watchdog = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "cmis:watchdog");
            t.setDaemon(true);
            return t;
        });
        LongRunning run = new LongRunning("webhooks work");
        run.watch(liveness, watchdog, context);
        context.beforeClose(() -> {
            context.notice("stopping: no new events claimed; finishing those in hand, giving the rest back");
            live.close();
            running.stop();
            watchdog.shutdownNow();
            context.notice("stopped: " + running.processed() + " events processed, " + running.failed()
                    + " failed (retrying or dead)");
            run.stopped();
        });
        String url = "http://" + address + ":" + live.port() + "/health/live";
        Printer printer = context.printer();
        if (printer.json()) {
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("live_url", url);
            out.put("port", live.port());
            out.put("workers", count);
            printer.json(out);
        } else {
            printer.line("working: " + count + " webhook workers; liveness on " + url);
        }
        return run.await();
    }
}
