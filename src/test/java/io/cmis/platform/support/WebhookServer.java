package io.cmis.platform.support;

import io.cmis.platform.connect.ConnectService;
import io.cmis.platform.crypto.Keyring;
import io.cmis.platform.crypto.TokenVault;
import io.cmis.platform.integrations.IntegrationService;
import io.cmis.platform.sandbox.WebhookEmitter;
import io.cmis.platform.server.CmisServer;
import io.cmis.platform.webhooks.EventInbox;
import io.cmis.platform.webhooks.EventOutcome;
import io.cmis.platform.webhooks.WebhookIntake;
import io.cmis.platform.webhooks.WebhookProcessor;
import io.cmis.platform.webhooks.WebhookSettings;

import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;
import java.util.Random;

/**
 * The intake of {@code serve} (inbox, intake, HTTP server on a free loopback port) over a test
 * bed, and a processor on the bed's clock: what serve runs, without its process.
 */
public final class WebhookServer implements AutoCloseable {
    public final EventInbox inbox;
    public final CmisServer server;
    public final io.cmis.platform.health.ServeMonitor monitor;
    public final io.cmis.platform.health.Liveness liveness = new io.cmis.platform.health.Liveness();
    /** The /api/v1 routing table this serve mounts (the OpenAPI test lists its routes). */
    public final io.cmis.platform.api.ApiRoutes api;
    private final PlatformTestBed bed;
    private final String host;
    private final HttpClient client = HttpClient.newHttpClient();

    public WebhookServer(PlatformTestBed bed) {
        this(bed, bed.tenancy());
    }

    /** Storing through {@code tenancy}, which may be another database than the bed's. */
    public WebhookServer(PlatformTestBed bed, io.cmis.platform.tenancy.Tenancy tenancy) {
        this(bed, tenancy, "127.0.0.1");
    }

    /** Listening on {@code host} (a free port), e.g. a non-loopback address of this machine. */
    public WebhookServer(PlatformTestBed bed, String host) {
        this(bed, bed.tenancy(), host);
    }

    private WebhookServer(PlatformTestBed bed, io.cmis.platform.tenancy.Tenancy tenancy, String host) {
        this.bed = bed;
        this.host = host;
        this.inbox = new EventInbox(tenancy, Integer.getInteger("committers", 1), () -> { });
        TokenVault vault = new TokenVault(Keyring.parse(TestKeys.K1), new SecureRandom());
        ConnectService connect = new ConnectService(bed.tenancy(), vault, bed.registry(),
                new IntegrationService(bed.tenancy(), vault, bed.clock), bed.config, bed.clock, new SecureRandom());
        io.cmis.platform.health.HealthSettings health = io.cmis.platform.health.HealthSettings.from(bed.config);
        this.monitor = new io.cmis.platform.health.ServeMonitor(
                new io.cmis.platform.health.HealthCheck(tenancy, health, bed.clock, vault, bed.registry()),
                new io.cmis.platform.health.HealthAlerts(tenancy, health, bed.clock), bed.clock);
        bed.http().callLog().observe(monitor::apiCall);
        liveness.watch("webhook intake committer", inbox::alive);
        try {
            String token = bed.config.value("serve.admin-token").trim();
            this.server = CmisServer.start(new io.cmis.platform.server.ServerSettings(
                            new InetSocketAddress(host, 0), 16, Duration.ofSeconds(30),
                            java.util.Optional.of(token).filter(t -> !t.isEmpty())),
                    new WebhookIntake(bed.registry(), inbox, bed.clock), connect, monitor,
                    new io.cmis.platform.health.DashboardData(tenancy, bed.clock), liveness,
                    this.api = io.cmis.platform.api.ApplicationApi.routes(new io.cmis.platform.api.ApplicationApi.Parts(bed.tenancy(),
                            new IntegrationService(bed.tenancy(), vault, bed.clock), bed.clock, new SecureRandom(),
                            new io.cmis.platform.connect.BrowserConnect(connect),
                            credentials(bed, vault).observe(monitor::credentialRead),
                            proxy(bed, vault).observe(monitor::proxied))));
        } catch (java.io.IOException | RuntimeException e) {
            inbox.close();
            monitor.close();
            throw e instanceof java.io.IOException io ? new java.io.UncheckedIOException(io) : (RuntimeException) e;
        }
    }

    /** The credentials service as serve builds it, over the bed's registry and clock. */
    public static io.cmis.platform.api.Credentials credentials(PlatformTestBed bed, TokenVault vault) {
        io.cmis.platform.tokens.TokenSettings settings = io.cmis.platform.tokens.TokenSettings.from(bed.config);
        io.cmis.platform.tokens.AccessTokens tokens = new io.cmis.platform.tokens.AccessTokens(bed.tenancy(), vault,
                bed.registry(), new io.cmis.platform.tokens.TokenRefresher(bed.tenancy(), vault, bed.registry(), settings,
                bed.clock), settings, bed.clock);
        return new io.cmis.platform.api.Credentials(bed.tenancy(), vault, bed.registry(), tokens, bed.clock);
    }

    /** The proxy as serve builds it, over the bed's registry, guarded client and clock. */
    public static io.cmis.platform.proxy.ProxyService proxy(PlatformTestBed bed, TokenVault vault) {
        io.cmis.platform.tokens.TokenSettings settings = io.cmis.platform.tokens.TokenSettings.from(bed.config);
        io.cmis.platform.tokens.AccessTokens tokens = new io.cmis.platform.tokens.AccessTokens(bed.tenancy(), vault,
                bed.registry(), new io.cmis.platform.tokens.TokenRefresher(bed.tenancy(), vault, bed.registry(), settings,
                bed.clock), settings, bed.clock);
        return new io.cmis.platform.proxy.ProxyService(bed.tenancy(), bed.registry(), bed.http(), tokens,
                io.cmis.platform.proxy.ProxySettings.from(bed.config), bed.clock);
    }

    public URI uri(String path) {
        return URI.create("http://" + host + ":" + server.port() + path);
    }

    /** POSTs one delivery to {@code /webhooks/{platform}}; the status and body of the answer. */
    public HttpResponse<String> post(String platform, WebhookEmitter.Delivery delivery) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri("/webhooks/" + platform))
                .POST(HttpRequest.BodyPublishers.ofString(delivery.body()));
        delivery.headers().forEach(request::header);
        return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    public HttpResponse<String> get(String path) throws Exception {
        return client.send(HttpRequest.newBuilder(uri(path)).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    /** A processor as one worker of serve, on the bed's clock and configuration. */
    public WebhookProcessor processor(String worker) {
        return new WebhookProcessor(bed.tenancy(), WebhookSettings.from(bed.config), bed.clock, new Random(7), worker,
                bed.registry());
    }

    /** Processes every due event with one worker. */
    public List<EventOutcome> processAll() {
        return processor("test-worker").processBatch(10_000, () -> false);
    }

    @Override
    public void close() {
        monitor.close();
        server.stop(1);
        inbox.close();
    }
}
