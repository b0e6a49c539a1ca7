package io.cmis.platform.server;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.cmis.platform.connect.ConnectException;
import io.cmis.platform.connect.ConnectService;
import io.cmis.platform.crypto.Secret;
import io.cmis.platform.integrations.Integration;
import io.cmis.platform.platforms.ConnectorRegistry;
import io.cmis.platform.platforms.PlatformException;
import io.cmis.platform.webhooks.IntakeResult;
import io.cmis.platform.webhooks.WebhookIntake;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The HTTP side of {@code serve}, on the JDK's server: webhook intake and Meta's handshake, the
 * OAuth callback, and a liveness answer. A bounded pool handles requests; those beyond its queue
 * are refused rather than piling up.
 */
public final class CmisServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(CmisServer.class);
    private static final int QUEUE = 4_096;

    private final HttpServer server;
    private final ThreadPoolExecutor pool;
    private final WebhookIntake intake;
    private final ConnectService connect;
    private final AtomicInteger inFlight = new AtomicInteger();
    private volatile boolean draining;

    private CmisServer(HttpServer server, ThreadPoolExecutor pool, WebhookIntake intake, ConnectService connect) {
        this.server = server;
        this.pool = pool;
        this.intake = intake;
        this.connect = connect;
    }

    /**
     * Binds and starts. Read and write time limits are the JDK server's system properties, read when
     * its classes load: {@link #limitRequestTime} must run before the first server of the process.
     */
    public static CmisServer start(InetSocketAddress address, int threads, WebhookIntake intake, ConnectService connect)
            throws IOException {
        HttpServer server = HttpServer.create(address, 1024);
        AtomicInteger n = new AtomicInteger();
        ThreadPoolExecutor pool = new ThreadPoolExecutor(threads, threads, 60, TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(QUEUE), r -> {
                    Thread t = new Thread(r, "cmis:http-" + n.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
        server.setExecutor(pool);
        CmisServer cmis = new CmisServer(server, pool, intake, connect);
        server.createContext("/", cmis::handle);
        server.start();
        return cmis;
    }

    /** The JDK server's limits for one request and one response, and no Nagle delay on small answers. */
    public static void limitRequestTime(java.time.Duration readTimeout) {
        long seconds = Math.max(1, readTimeout.toSeconds());
        System.setProperty("sun.net.httpserver.maxReqTime", Long.toString(seconds));
        System.setProperty("sun.net.httpserver.maxRspTime", Long.toString(seconds));
        System.setProperty("sun.net.httpserver.nodelay", "true");
    }

    public int port() {
        return server.getAddress().getPort();
    }

    private void handle(HttpExchange exchange) throws IOException {
        inFlight.incrementAndGet();
        try {
            if (draining) {
                // Stopping: the sender retries, and another instance (or this one, restarted) stores it.
                exchange.getResponseHeaders().put("connection", java.util.List.of("close"));
                HttpExchanges.json(exchange, 503, "{\"status\":\"unavailable\",\"error\":\"shutting down\"}");
                return;
            }
            route(exchange);
        } catch (RuntimeException e) {
            log.error("{} {} failed: {}", exchange.getRequestMethod(), exchange.getRequestURI().getPath(), e.toString());
            HttpExchanges.json(exchange, 500, "{\"status\":\"error\"}");
        } finally {
            inFlight.decrementAndGet();
        }
    }

    private void route(HttpExchange exchange) throws IOException {
        String method = exchange.getRequestMethod();
        String[] parts = exchange.getRequestURI().getPath().split("/");
        // "/webhooks/meta" splits into "", "webhooks", "meta".
        if (parts.length == 3 && parts[1].equals("webhooks")) {
            if (method.equals("POST")) {
                webhook(exchange, parts[2]);
            } else if (method.equals("GET")) {
                handshake(exchange, parts[2]);
            } else {
                HttpExchanges.json(exchange, 405, "{\"status\":\"method_not_allowed\"}");
            }
        } else if (parts.length == 4 && parts[1].equals("oauth") && parts[2].equals("callback") && method.equals("GET")) {
            oauthCallback(exchange, parts[3]);
        } else if (exchange.getRequestURI().getPath().equals("/health/live")) {
            HttpExchanges.json(exchange, 200, "{\"status\":\"ok\"}");
        } else {
            HttpExchanges.json(exchange, 404, "{\"status\":\"not_found\"}");
        }
    }

    private void webhook(HttpExchange exchange, String platform) throws IOException {
        Optional<byte[]> body = HttpExchanges.body(exchange, WebhookIntake.MAX_BODY_BYTES);
        if (body.isEmpty()) {
            // The rest of the body was not read: this connection cannot carry another request.
            exchange.getResponseHeaders().put("connection", java.util.List.of("close"));
            HttpExchanges.json(exchange, 413, "{\"status\":\"too_large\",\"error\":\"the body is over 1 MiB\"}");
            return;
        }
        IntakeResult result = intake.receive(platform, HttpExchanges.headers(exchange), body.get());
        HttpExchanges.json(exchange, result.httpStatus(), result.json());
    }

    private void handshake(HttpExchange exchange, String platform) throws IOException {
        Optional<String> challenge = intake.handshake(platform, HttpExchanges.query(exchange));
        if (challenge.isPresent()) {
            HttpExchanges.send(exchange, 200, "text/plain", challenge.get());
        } else {
            HttpExchanges.send(exchange, 403, "text/plain", "verification failed");
        }
    }

    private void oauthCallback(HttpExchange exchange, String platform) throws IOException {
        if (!ConnectorRegistry.knownIds().contains(platform)) {
            page(exchange, 404, "Unknown platform", "There is no platform '" + platform + "'.");
            return;
        }
        Map<String, String> query = HttpExchanges.query(exchange);
        String state = query.getOrDefault("state", "");
        // TikTok for Business sends auth_code; the others code.
        String code = query.getOrDefault("code", query.getOrDefault("auth_code", ""));
        try {
            if (state.isBlank()) {
                page(exchange, 400, "Not connected", "The link has no state. Start the connection again.");
                return;
            }
            if (query.containsKey("error")) {
                connect.decline(state, query.get("error"), Optional.ofNullable(query.get("error_description")));
            }
            if (code.isBlank()) {
                page(exchange, 400, "Not connected", "The link has no code. Start the connection again.");
                return;
            }
            Integration integration = connect.complete(state, Secret.of(code), Optional.empty()).integration();
            page(exchange, 200, "Connected", "Your " + integration.platform() + " account "
                    + Optional.ofNullable(integration.accountName()).orElse(integration.externalAccountId())
                    + " is connected. You can close this window.");
        } catch (ConnectException | PlatformException e) {
            page(exchange, 400, "Not connected", e.getMessage());
        }
    }

    private static void page(HttpExchange exchange, int status, String title, String text) throws IOException {
        HttpExchanges.send(exchange, status, "text/html; charset=utf-8", "<!doctype html><meta charset=utf-8>"
                + "<meta name=viewport content='width=device-width'><title>" + Html.escape(title) + "</title>"
                + "<h1>" + Html.escape(title) + "</h1><p>" + Html.escape(text) + "</p>");
    }

    /**
     * Answers new requests 503, lets those in flight finish (up to {@code graceSeconds}), then closes.
     * The JDK's own {@code stop(delay)} waits the whole delay even when nothing is in flight (before
     * Java 21), so the waiting is done here.
     */
    public void stop(int graceSeconds) {
        draining = true;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(graceSeconds);
        while (inFlight.get() > 0 && System.nanoTime() < deadline) {
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        server.stop(0);
        pool.shutdown();
        try {
            pool.awaitTermination(graceSeconds, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        stop(5);
    }
}
