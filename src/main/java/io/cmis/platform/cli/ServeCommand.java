package io.cmis.platform.cli;

import io.cmis.platform.server.CmisServer;
import io.cmis.platform.webhooks.EventInbox;
import io.cmis.platform.webhooks.WebhookIntake;
import io.cmis.platform.webhooks.WebhookSettings;
import io.cmis.platform.webhooks.WebhookWorkers;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/** {@code serve}: the one long-running process: webhook intake, workers, the OAuth callback, alert delivery. */
@Command(name = "serve", description = "Run the HTTP server (webhook intake, OAuth callback) and the webhook "
        + "workers until stopped (SIGTERM or Ctrl-C: stop accepting, finish requests and events in hand).")
final class ServeCommand implements java.util.concurrent.Callable<Integer> {
    private static final int GRACE_SECONDS = 10;
    /**
     * One committer makes the biggest batches: requests that arrive during a commit all go into the
     * next one. Measured (README): 1.10-1.52x the one-commit-per-request ceiling with one committer,
     * 0.93x with two, 0.69x with four.
     */
    private static final int INBOX_COMMITTERS = 1;
    private static final long ALERT_INTERVAL_SECONDS = 10;
    /** Health is evaluated (and alerts raised) this often, so detection needs no cron while serve runs. */
    private static final java.time.Duration HEALTH_INTERVAL = java.time.Duration.ofSeconds(60);

    private final CliContext context;

    @Option(names = "--port", paramLabel = "PORT", description = "Default: serve.port (8080); 0 picks a free port.")
    Integer port;

    @Option(names = "--bind", paramLabel = "ADDRESS", description = "Default: serve.bind (127.0.0.1).")
    String bind;

    @Option(names = "--workers", paramLabel = "N", description = "Webhook workers (default: webhooks.workers); 0 "
            + "for intake only.")
    Integer workers;

    ServeCommand(CliContext context) {
        this.context = context;
    }

    @Override
    public Integer call() {
        int listenPort = port != null ? port : Integer.parseInt(context.config().value("serve.port").trim());
        if (listenPort < 0 || listenPort > 65535) {
            throw new UsageException("--port must be from 0 to 65535, got " + listenPort);
        }
        String address = bind != null ? bind : context.config().value("serve.bind").trim();
        WebhookSettings settings = WebhookSettings.from(context.config());
        int workerCount = WebhookWorkerStart.count(workers, settings, 0, "serve");
        int threads = context.config().positiveInt("serve.threads", 1024);
        WebhookWorkerStart.requirePool(context, workerCount, INBOX_COMMITTERS + 2);

        String token = context.config().value("serve.admin-token").trim();
        InetSocketAddress where = new InetSocketAddress(address, listenPort);
        // Before anything opens: beyond loopback without a token, anyone reaching serve reads every org's data.
        io.cmis.platform.server.AdminAccess.requireLongToken(java.util.Optional.of(token));
        io.cmis.platform.server.AdminAccess.requireTokenToListenOn(where, java.util.Optional.of(token));

        WebhookWorkers[] running = new WebhookWorkers[1];
        // The committer keeps a connection of its own: it reconnects as soon as the database is back.
        EventInbox inbox = new EventInbox(context.tenancyOnOwnConnections(), INBOX_COMMITTERS, () -> {
            if (running[0] != null) {
                running[0].wake();
            }
        });
        WebhookIntake intake = new WebhookIntake(context.platforms().registry(), inbox, context.clock());
        intake.refusals().forEach(refusal -> context.notice("warning: " + refusal));
        io.cmis.platform.health.HealthSettings health = io.cmis.platform.health.HealthSettings.from(context.config());
        io.cmis.platform.health.ServeMonitor monitor = new io.cmis.platform.health.ServeMonitor(
                new io.cmis.platform.health.HealthCheck(context.tenancy(), health, context.clock(), context.vault(),
                        context.platforms().registry()),
                new io.cmis.platform.health.HealthAlerts(context.tenancy(), health, context.clock()), context.clock());
        context.platforms().http().callLog().observe(monitor::apiCall);
        io.cmis.platform.health.Liveness liveness = new io.cmis.platform.health.Liveness();
        liveness.watch("webhook intake committer", inbox::alive);
        CmisServer server;
        io.cmis.platform.connect.ConnectService connect = ConnectCommand.service(context);
        try {
            server = CmisServer.start(new io.cmis.platform.server.ServerSettings(where, threads,
                            context.config().duration("serve.read-timeout"),
                            java.util.Optional.of(token).filter(t -> !t.isEmpty())),
                    intake, connect, monitor,
                    new io.cmis.platform.health.DashboardData(context.tenancy(), context.clock()), liveness,
                    io.cmis.platform.api.ApplicationApi.routes(new io.cmis.platform.api.ApplicationApi.Parts(
                            context.tenancy(), IntegrationsCommand.service(context), context.clock(), context.random(),
                            new io.cmis.platform.connect.BrowserConnect(connect),
                            TokensGetCommand.credentials(context).observe(monitor::credentialRead),
                            IntegrationsCallCommand.proxy(context).observe(monitor::proxied))));
        } catch (IOException e) {
            inbox.close();
            throw new UsageException("cannot listen on " + address + ":" + listenPort + " (" + e.getMessage()
                    + "); choose another --port or --bind");
        }
        running[0] = WebhookWorkerStart.start(context, settings, workerCount, "serve", liveness,
                outcome -> monitor.eventProcessed(outcome.outcome()));
        monitor.start(HEALTH_INTERVAL);
        liveness.watch("health monitor", monitor.loop());
        ScheduledExecutorService alerts = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "cmis:alerts");
            t.setDaemon(true);
            return t;
        });
        liveness.watch("alert delivery", alerts.scheduleWithFixedDelay(
                io.cmis.platform.health.Liveness.guard("alert delivery", context::deliverAlerts),
                ALERT_INTERVAL_SECONDS, ALERT_INTERVAL_SECONDS, TimeUnit.SECONDS));

        LongRunning run = new LongRunning("serve");
        run.watch(liveness, alerts, context);
        context.beforeClose(() -> {
            context.notice("stopping: no new requests; finishing those in flight and the events in hand");
            server.stop(GRACE_SECONDS);
            inbox.close();
            running[0].stop();
            monitor.close();
            alerts.shutdownNow();
            run.stopped();
        });
        String url = "http://" + address + ":" + server.port();
        Printer printer = context.printer();
        if (printer.json()) {
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("url", url);
            out.put("port", server.port());
            out.put("workers", workerCount);
            printer.json(out);
        } else {
            printer.line("listening on " + url + "  (dashboard /, POST /webhooks/{platform}, "
                    + "GET /oauth/{start,callback}/{platform}, /api/v1, /health/integrations, /metrics; " + workerCount + " workers)");
        }
        return run.await();
    }
}
