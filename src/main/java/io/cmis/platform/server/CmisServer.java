package io.cmis.platform.server;

import io.cmis.platform.api.ApiRequest;
import io.cmis.platform.api.ApiResponse;
import io.cmis.platform.api.ApiRoutes;
import io.cmis.platform.connect.ConnectService;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.cmis.platform.health.DashboardData;
import io.cmis.platform.health.HealthReport;
import io.cmis.platform.health.HealthStatus;
import io.cmis.platform.health.ServeMonitor;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.cmis.platform.webhooks.IntakeResult;
import io.cmis.platform.webhooks.WebhookIntake;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.Fields;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The HTTP side of {@code serve}: webhook intake and Meta's handshake, the OAuth start links and callback
 * ({@link OAuthRoutes}), the admin gate and sign-in ({@link AdminRoutes}), health
 * ({@code /health/integrations}, {@code /health/live}), {@code /metrics} and the dashboard. Jetty, because the JDK's server was measured to be the intake's bottleneck
 * (its single dispatcher and a lock taken per exchange). A webhook request holds no thread while
 * its events wait for their group commit: the answer is written when the commit completes.
 */
public final class CmisServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(CmisServer.class);

    private final Server server;
    private final ServerConnector connector;
    private final WebhookIntake intake;
    private final ServeMonitor monitor;
    private final DashboardData dashboard;
    private final AdminRoutes admin;
    private final OAuthRoutes oauth;
    private final io.cmis.platform.health.Liveness liveness;
    private final ApiRoutes api;
    private final AtomicInteger inFlight = new AtomicInteger();
    private volatile boolean draining;

    private CmisServer(Server server, ServerConnector connector, WebhookIntake intake, ConnectService connect,
                       ServeMonitor monitor, DashboardData dashboard, Optional<String> adminToken,
                       io.cmis.platform.health.Liveness liveness, ApiRoutes api) {
        this.api = api;
        this.admin = new AdminRoutes(new AdminAccess(adminToken), monitor::now);
        this.oauth = new OAuthRoutes(new io.cmis.platform.connect.BrowserConnect(connect));
        this.liveness = liveness;
        this.server = server;
        this.connector = connector;
        this.intake = intake;
        this.monitor = monitor;
        this.dashboard = dashboard;
    }

    /** Binds and starts; {@code readTimeout} also closes idle keep-alive connections. */
    public static CmisServer start(ServerSettings settings, WebhookIntake intake, ConnectService connect,
                                   ServeMonitor monitor, DashboardData dashboard,
                                   io.cmis.platform.health.Liveness liveness, ApiRoutes api) throws IOException {
        InetSocketAddress address = settings.address();
        AdminAccess.requireLongToken(settings.adminToken());
        AdminAccess.requireTokenToListenOn(address, settings.adminToken());
        int threads = settings.threads();
        Duration readTimeout = settings.readTimeout();
        QueuedThreadPool pool = new QueuedThreadPool(Math.max(threads, 8), Math.min(threads, 8));
        pool.setName("cmis:http");
        pool.setDaemon(true);
        Server server = new Server(pool);
        HttpConfiguration http = new HttpConfiguration();
        http.setSendServerVersion(false);
        http.setSendDateHeader(false);
        // Ambiguous paths reach serve so that the proxy answers them with its own 400 path_not_allowed
        // (one JSON shape); every other route still refuses them, as Jetty did (see route()).
        http.setUriCompliance(org.eclipse.jetty.http.UriCompliance.DEFAULT.with("cmis-proxy", PROXY_ONLY_VIOLATIONS
                .toArray(org.eclipse.jetty.http.UriCompliance.Violation[]::new)));
        ServerConnector connector = new ServerConnector(server, new ApiErrorHandler.Connections(http));
        connector.setHost(address.getHostString());
        connector.setPort(address.getPort());
        connector.setIdleTimeout(readTimeout.toMillis());
        connector.setAcceptQueueSize(1024);
        server.addConnector(connector);
        // What Jetty refuses before any route (an encoded NUL in the path) still answers /api/v1's JSON.
        server.setErrorHandler(new ApiErrorHandler());
        CmisServer cmis = new CmisServer(server, connector, intake, connect, monitor, dashboard,
                settings.adminToken(), liveness, api);
        server.setHandler(new Handler.Abstract() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) {
                cmis.handle(request, response, callback);
                return true;
            }
        });
        try {
            server.start();
        } catch (IOException e) {
            stopQuietly(server);
            throw e;
        } catch (Exception e) {
            stopQuietly(server);
            throw new IOException(e.getMessage(), e);
        }
        return cmis;
    }

    public int port() {
        return connector.getLocalPort();
    }

    private void handle(Request request, Response response, Callback callback) {
        inFlight.incrementAndGet();
        Callback done = Callback.from(callback, inFlight::decrementAndGet);
        try {
            if (draining) {
                // Stopping: the sender retries, and another instance (or this one, restarted) stores it.
                response.getHeaders().put(HttpHeader.CONNECTION, "close");
                send(response, done, 503, "application/json", "{\"status\":\"unavailable\",\"error\":\"shutting down\"}");
                return;
            }
            route(request, response, done);
        } catch (RuntimeException e) {
            log.error("{} {} failed: {}", request.getMethod(), request.getHttpURI().getPath(), e.toString());
            send(response, done, 500, "application/json", "{\"status\":\"error\"}");
        }
    }

    /** URI shapes Jetty refuses by default that only the proxy route may see (it refuses them itself). */
    private static final java.util.Set<org.eclipse.jetty.http.UriCompliance.Violation> PROXY_ONLY_VIOLATIONS =
            java.util.EnumSet.of(org.eclipse.jetty.http.UriCompliance.Violation.AMBIGUOUS_PATH_SEGMENT,
                    org.eclipse.jetty.http.UriCompliance.Violation.AMBIGUOUS_EMPTY_SEGMENT,
                    org.eclipse.jetty.http.UriCompliance.Violation.AMBIGUOUS_PATH_SEPARATOR,
                    org.eclipse.jetty.http.UriCompliance.Violation.AMBIGUOUS_PATH_PARAMETER,
                    org.eclipse.jetty.http.UriCompliance.Violation.AMBIGUOUS_PATH_ENCODING,
                    org.eclipse.jetty.http.UriCompliance.Violation.SUSPICIOUS_PATH_CHARACTERS,
                    org.eclipse.jetty.http.UriCompliance.Violation.ILLEGAL_PATH_CHARACTERS);

    private void route(Request request, Response response, Callback done) {
        String method = request.getMethod();
        String path = request.getHttpURI().getPath();
        if (!path.startsWith(ApiRoutes.BASE + "/proxy/") && request.getHttpURI().getViolations().stream()
                .anyMatch(PROXY_ONLY_VIOLATIONS::contains)) {
            send(response, done, 400, "application/json", "{\"status\":\"bad_request\",\"error\":\"ambiguous URI path\"}");
            return;
        }
        String[] parts = path.split("/");
        // "/webhooks/meta" splits into "", "webhooks", "meta".
        if (parts.length == 3 && parts[1].equals("webhooks")) {
            if (method.equals("POST")) {
                webhook(request, response, done, parts[2]);
            } else if (method.equals("GET")) {
                Optional<String> challenge = intake.handshake(parts[2], query(request));
                send(response, done, challenge.isPresent() ? 200 : 403,
                        challenge.isPresent() ? intake.handshakeContentType(parts[2]) : "text/plain",
                        challenge.orElse("verification failed"));
            } else {
                send(response, done, 405, "application/json", "{\"status\":\"method_not_allowed\"}");
            }
        } else if (parts.length == 4 && parts[1].equals("oauth") && method.equals("GET")
                && (parts[2].equals("callback") || parts[2].equals("start"))) {
            if (parts[2].equals("start")) {
                oauth.start(request, response, done, parts[3], query(request));
            } else {
                oauth.callback(request, response, done, parts[3], query(request));
            }
        } else if (ApiRoutes.handles(path)) {
            api(request, response, done, method, path);
        } else if (path.equals("/health/live")) {
            live(response, done);
        } else if (path.equals("/login")) {
            admin.login(request, response, done);
        } else if (ADMIN_PAGES.contains(path) && query(request).containsKey("token")) {
            admin.refuseTokenInUrl(response, done);
        } else if (path.equals("/health/integrations") && method.equals("GET")) {
            health(request, response, done);
        } else if (ADMIN_PAGES.contains(path) && !admin.allows(request)) {
            admin.refuse(path, response, done);
        } else if (path.equals("/metrics") && method.equals("GET")) {
            send(response, done, 200, PrometheusTextFormatWriter.CONTENT_TYPE, monitor.metrics(liveness));
        } else if (path.equals("/") && method.equals("GET")) {
            Responses.send(response, done, 200, "text/html; charset=utf-8",
                    DashboardPage.render(monitor.current(), dashboard.read()), DashboardPage.POLICY);
        } else {
            send(response, done, 404, "application/json", "{\"status\":\"not_found\"}");
        }
    }

    private static final java.util.Set<String> ADMIN_PAGES = java.util.Set.of("/", "/metrics", "/health/integrations");

    /**
     * The whole document to an admin; to anyone else (a load balancer) the same HTTP status and the
     * components' aggregate numbers ({@link PublicHealth}): it names no org, account or reason.
     */
    private void health(Request request, Response response, Callback done) {
        HealthReport report = monitor.current();
        // Unknown (the database is unreachable) is no better than critical for a load balancer.
        boolean failing = report.status() == HealthStatus.CRITICAL || report.status() == HealthStatus.UNKNOWN;
        Map<String, Object> document = report.documentAt(monitor.now());
        if (!admin.allows(request)) {
            document = PublicHealth.of(document);
        }
        send(response, done, failing ? 503 : 200, "application/json", json(document));
    }

    /** 200 while every loop of serve runs; 503 naming the dead ones, so systemd or a load balancer can act. */
    private void live(Response response, Callback done) {
        io.cmis.platform.health.Liveness.Answer answer = liveness.answer();
        send(response, done, answer.httpStatus(), "application/json", json(answer.document()));
    }

    private void webhook(Request request, Response response, Callback done, String platform) {
        long declared = request.getLength();
        if (declared > WebhookIntake.MAX_BODY_BYTES) {
            if (declared <= DRAIN_LIMIT_BYTES) {
                // Read the body to its end before answering: closing a connection with unread data makes
                // the kernel reset it, and the sender may lose the 413 and see only a broken connection.
                Content.Source.consumeAll(request, Callback.from(() -> tooLarge(response, done),
                        failure -> tooLarge(response, done)));
            } else {
                tooLarge(response, done);
            }
            return;
        }
        Map<String, String> headers = new HashMap<>();
        for (HttpField field : request.getHeaders()) {
            headers.putIfAbsent(field.getLowerCaseName(), field.getValue());
        }
        Content.Source.asByteArrayAsync(request, WebhookIntake.MAX_BODY_BYTES).whenComplete((body, failure) -> {
            if (failure != null) {
                tooLarge(response, done);
                return;
            }
            // The answer is written on the server's own threads: the inbox's committer completes a
            // whole group commit's requests at once and must go straight back to the next commit.
            intake.receiveAsync(platform, headers, body).whenCompleteAsync((result, error) -> {
                IntakeResult answer = error == null ? result
                        : new IntakeResult(500, "error", 0, 0, "unexpected: " + error.getClass().getSimpleName());
                monitor.intakeAnswered(platform, answer.httpStatus());
                send(response, done, answer.httpStatus(), "application/json", answer.json());
            }, server.getThreadPool());
        });
    }

    /**
     * The application API ({@link ApiRoutes}): it authenticates and answers by itself; this reads the
     * request (a body of up to {@link ApiRoutes#maxBody}: 64 KiB, the proxy proxy.max-body) and writes the answer with serve's headers.
     */
    private void api(Request request, Response response, Callback done, String method, String path) {
        Map<String, String> headers = new HashMap<>();
        for (HttpField field : request.getHeaders()) {
            headers.putIfAbsent(field.getLowerCaseName(), field.getValue());
        }
        Map<String, String> query = query(request);
        // The path (already) and the query as the client sent them, percent-encoding untouched: the proxy
        // passes them on byte for byte, and checks the path itself.
        String rawQuery = request.getHttpURI().getQuery();
        long declared = request.getLength();
        long max = api.maxBody(path);
        if (declared == 0) {
            answer(response, done, api.handle(new ApiRequest(method, path, query, headers, new byte[0], rawQuery)));
            return;
        }
        if (declared > max) {
            response.getHeaders().put(HttpHeader.CONNECTION, "close");
            answer(response, done, new io.cmis.platform.api.ApiError(413, "too_large",
                    "the body is over " + max + " bytes").response());
            return;
        }
        Content.Source.asByteArrayAsync(request, (int) Math.min(Integer.MAX_VALUE - 8, max)).whenCompleteAsync((body, failure) -> {
            if (failure != null) {
                response.getHeaders().put(HttpHeader.CONNECTION, "close");
                answer(response, done, new io.cmis.platform.api.ApiError(413, "too_large",
                        "the body is over " + max + " bytes").response());
                return;
            }
            answer(response, done, api.handle(new ApiRequest(method, path, query, headers, body, rawQuery)));
        }, server.getThreadPool());
    }

    private static void answer(Response response, Callback done, ApiResponse answer) {
        answer.headers().forEach((name, value) -> response.getHeaders().put(name, value));
        if (answer.bytes() != null) {
            Responses.sendBytes(response, done, answer.status(), answer.contentType(), answer.bytes());
            return;
        }
        send(response, done, answer.status(), "application/json", answer.json());
    }

    /** Bodies up to this size are read (and dropped) so the 413 arrives; larger ones are cut off. */
    private static final long DRAIN_LIMIT_BYTES = 8L * 1024 * 1024;

    private static void tooLarge(Response response, Callback done) {
        // The rest of the body is not read: this connection cannot carry another request.
        response.getHeaders().put(HttpHeader.CONNECTION, "close");
        send(response, done, 413, "application/json", "{\"status\":\"too_large\",\"error\":\"the body is over 1 MiB\"}");
    }

    private static final ObjectMapper JSON = new ObjectMapper().registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);

    /** The same JSON as {@code health --json}. */
    static String json(Map<String, Object> document) {
        try {
            return JSON.writeValueAsString(document);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("cannot write the health JSON", e);
        }
    }

    private static Map<String, String> query(Request request) {
        Map<String, String> query = new HashMap<>();
        Fields fields = Request.extractQueryParameters(request, StandardCharsets.UTF_8);
        for (Fields.Field field : fields) {
            query.put(field.getName(), field.getValue());
        }
        return query;
    }

    private static void send(Response response, Callback done, int status, String contentType, String body) {
        Responses.send(response, done, status, contentType, body);
    }

    /**
     * Answers new requests 503, lets those in flight finish (up to {@code graceSeconds}), then closes.
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
        stopQuietly(server);
    }

    private static void stopQuietly(Server server) {
        try {
            server.stop();
        } catch (Exception e) {
            log.warn("stopping the HTTP server: {}", e.getMessage());
        }
    }

    @Override
    public void close() {
        stop(5);
    }
}
