package io.cmis.platform.sandbox;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A platform simulator: a loopback HTTP server with routes, injected faults, and a count of the
 * requests it answered, so tests can tell that no call was made.
 */
public abstract class Simulator implements AutoCloseable {
    protected static final ObjectMapper JSON = new ObjectMapper();

    static {
        // Without TCP_NODELAY the JDK server's separate header and body writes meet the client's
        // delayed ACK: about 40 ms per request on loopback.
        System.setProperty("sun.net.httpserver.nodelay", "true");
    }

    /**
     * What a route sees of a request; {@code rawQuery} is the query as sent (null when none), for
     * simulators that check its encoding (X's OAuth 1.0a signatures).
     */
    public record Request(String method, String path, Map<String, String> query, Map<String, String> headers,
                          String body, Matcher match, String rawQuery, byte[] bodyBytes) {
        public String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }

        public Map<String, String> form() {
            return parseQuery(body);
        }

        public JsonNode json() {
            try {
                return JSON.readTree(body == null || body.isEmpty() ? "{}" : body);
            } catch (IOException e) {
                return JSON.createObjectNode();
            }
        }
    }

    /** What a route answers. */
    public record Reply(int status, Map<String, String> headers, String body, byte[] bytes) {
        public Reply(int status, Map<String, String> headers, String body) {
            this(status, headers, body, null);
        }

        /** A binary answer (an image, a gzip), sent as these bytes. */
        public static Reply bytes(int status, String contentType, byte[] bytes) {
            return new Reply(status, Map.of("Content-Type", contentType), "", bytes);
        }

        public static Reply json(int status, Object body) {
            try {
                return new Reply(status, Map.of("Content-Type", "application/json"), JSON.writeValueAsString(body));
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }

        public static Reply redirect(String location) {
            return new Reply(302, Map.of("Location", location), "");
        }

        public Reply withHeader(String name, String value) {
            Map<String, String> all = new LinkedHashMap<>(headers);
            all.put(name, value);
            return new Reply(status, all, body, bytes);
        }
    }

    private record Route(String method, Pattern pattern, Function<Request, Reply> handler) {
    }

    private record PendingFault(Pattern path, Fault fault) {
    }

    private final HttpServer server;
    private final List<Route> routes = new ArrayList<>();
    private final ConcurrentLinkedQueue<PendingFault> faults = new ConcurrentLinkedQueue<>();
    private final Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();
    private final AtomicInteger total = new AtomicInteger();
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicInteger mostInFlight = new AtomicInteger();
    private volatile java.time.Duration latency = java.time.Duration.ZERO;

    protected Simulator(int port) {
        try {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 64);
        } catch (IOException e) {
            throw new IllegalStateException("cannot listen on 127.0.0.1:" + port + ": " + e.getMessage(), e);
        }
        // Unbounded like a real platform's front: with latency injected, requests overlap.
        server.setExecutor(Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, getClass().getSimpleName());
            t.setDaemon(true);
            return t;
        }));
        server.createContext("/", this::handle);
    }

    protected void route(String method, String regex, Function<Request, Reply> handler) {
        routes.add(new Route(method, Pattern.compile(regex), handler));
    }

    public void start() {
        server.start();
    }

    public String baseUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** The next {@code times} requests whose path matches {@code pathRegex} get {@code fault}. */
    public void failNext(int times, String pathRegex, Fault fault) {
        for (int i = 0; i < times; i++) {
            faults.add(new PendingFault(Pattern.compile(pathRegex), fault));
        }
    }

    public void clearFaults() {
        faults.clear();
    }

    /** Every answer from now on comes this much later (a slow platform). */
    public void latency(java.time.Duration latency) {
        this.latency = latency;
    }

    /** The most requests this simulator has had in hand at once (how many calls a client overlaps). */
    public int mostInFlight() {
        return mostInFlight.get();
    }

    /** Requests answered so far (faults included). */
    public int requests() {
        return total.get();
    }

    public int requests(String pathRegex) {
        Pattern p = Pattern.compile(pathRegex);
        return calls.entrySet().stream().filter(e -> p.matcher(e.getKey()).matches())
                .mapToInt(e -> e.getValue().get()).sum();
    }

    /** The methods a proxied call may use; the catch-all answers each. */
    private static final List<String> PROXY_METHODS = List.of("GET", "HEAD", "OPTIONS", "POST", "PUT", "PATCH", "DELETE");

    /**
     * Answers every call under {@code baseRegex} that no route answers (register it after the
     * routes): {@code refusal} checks the authentication as the real platform does and answers its
     * own error, or null to let the call through to {@link #echo}. Faults and counts apply as to any
     * route, so a proxy's tests see the platform's errors and can count the calls that were made.
     */
    protected void proxied(String baseRegex, Function<Request, Reply> refusal, Function<Request, Reply> accepted) {
        for (String method : PROXY_METHODS) {
            route(method, baseRegex + "(/.*)?", r -> {
                Reply refused = refusal.apply(r);
                return refused != null ? refused : accepted.apply(r);
            });
        }
    }

    /**
     * What a proxied call to an unknown path gets: what arrived, so a test can check the bytes went
     * through untouched (binary bodies included: the length and SHA-256 of the raw body).
     */
    protected static Reply echo(Request r) {
        if (r.path().endsWith("/" + BINARY_PATH)) {
            return Reply.bytes(200, "image/png", binary());
        }
        // Headers a proxy must not pass back (a cookie, an internal one) beside those it must (usage, request id).
        return Reply.json(200, echoBody(r)).withHeader("Set-Cookie", "sandbox_session=s3cr3t; HttpOnly")
                .withHeader("X-Sandbox-Internal", "backend-7").withHeader("X-Request-Id", "sandbox-request-1")
                .withHeader("X-Business-Use-Case-Usage", "{}");
    }

    /** A proxied path whose answer is {@link #binary()} as {@code image/png}: the bytes of a binary answer. */
    public static final String BINARY_PATH = "sandbox-image.png";

    /** 4 KiB that are no text in any charset (every byte value, NULs and invalid UTF-8 among them). */
    public static byte[] binary() {
        byte[] bytes = new byte[4096];
        new java.util.Random(27).nextBytes(bytes);
        for (int i = 0; i < 256; i++) {
            bytes[i] = (byte) i;
        }
        return bytes;
    }

    /**
     * The echo's fields, always at the top level; a platform whose success has a shape of its own
     * adds its fields beside them (TikTok's {@code code: 0}), so one test reads every platform's echo.
     */
    protected static com.fasterxml.jackson.databind.node.ObjectNode echoBody(Request r) {
        com.fasterxml.jackson.databind.node.ObjectNode echo = JSON.createObjectNode();
        echo.put("method", r.method());
        // A PATCH sent as a POST names itself here (Google's X-HTTP-Method-Override); "" when none.
        echo.put("method_override", r.header("x-http-method-override") == null ? "" : r.header("x-http-method-override"));
        echo.put("path", r.path());
        echo.put("query", r.rawQuery() == null ? "" : r.rawQuery());
        echo.put("content_type", r.header("content-type") == null ? "" : r.header("content-type"));
        echo.put("body_length", r.bodyBytes().length);
        echo.put("body_sha256", sha256(r.bodyBytes()));
        // The names of the headers that arrived (never their values: a token would be among them).
        com.fasterxml.jackson.databind.node.ArrayNode names = echo.putArray("header_names");
        new java.util.TreeSet<>(r.headers().keySet()).forEach(names::add);
        return echo;
    }

    static String sha256(byte[] bytes) {
        try {
            return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The platform's own answer for a fault on this request. */
    protected abstract Reply fault(Fault fault, Request request);

    private void handle(HttpExchange exchange) throws IOException {
        mostInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
        try {
            answer(exchange);
        } finally {
            inFlight.decrementAndGet();
        }
    }

    private void answer(HttpExchange exchange) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getRawPath();
            Map<String, String> query = parseQuery(exchange.getRequestURI().getRawQuery());
            Map<String, String> headers = new HashMap<>();
            exchange.getRequestHeaders().forEach((k, v) -> headers.put(k.toLowerCase(Locale.ROOT), v.get(0)));
            byte[] bodyBytes = exchange.getRequestBody().readAllBytes();
            String body = new String(bodyBytes, StandardCharsets.UTF_8);
            total.incrementAndGet();
            calls.computeIfAbsent(path, k -> new AtomicInteger()).incrementAndGet();
            if (!latency.isZero()) {
                try {
                    Thread.sleep(latency.toMillis()); // the simulated platform is slow; the caller's clock is real
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            Reply reply = dispatch(exchange.getRequestMethod(), path, query, headers, body,
                    exchange.getRequestURI().getRawQuery(), bodyBytes);
            reply.headers().forEach((k, v) -> exchange.getResponseHeaders().set(k, v));
            byte[] bytes = reply.bytes() != null ? reply.bytes() : reply.body().getBytes(StandardCharsets.UTF_8);
            if (exchange.getRequestMethod().equals("HEAD")) {
                // As a platform answers HEAD: the GET's headers (its length named), no body.
                exchange.getResponseHeaders().set("Content-Length", Integer.toString(bytes.length));
                exchange.sendResponseHeaders(reply.status(), -1);
                return;
            }
            exchange.sendResponseHeaders(reply.status(), bytes.length == 0 ? -1 : bytes.length);
            if (bytes.length > 0) {
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(bytes);
                }
            }
        }
    }

    private Reply dispatch(String method, String path, Map<String, String> query, Map<String, String> headers,
                           String body, String rawQuery, byte[] bodyBytes) {
        for (Route route : routes) {
            Matcher m = route.pattern().matcher(path);
            if (route.method().equals(method) && m.matches()) {
                Request request = new Request(method, path, query, headers, body, m, rawQuery, bodyBytes);
                PendingFault pending = takeFault(path);
                if (pending != null) {
                    return fault(pending.fault(), request);
                }
                return route.handler().apply(request);
            }
        }
        return new Reply(404, Map.of("Content-Type", "text/plain"), "404 page not found");
    }

    private PendingFault takeFault(String path) {
        for (PendingFault f : faults) {
            if (f.path().matcher(path).matches() && faults.remove(f)) {
                return f;
            }
        }
        return null;
    }

    static Map<String, String> parseQuery(String raw) {
        Map<String, String> out = new LinkedHashMap<>();
        if (raw == null || raw.isEmpty()) {
            return out;
        }
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            String k = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String v = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            out.put(k, v);
        }
        return out;
    }

    @Override
    public void close() {
        server.stop(0);
        ((java.util.concurrent.ExecutorService) server.getExecutor()).shutdownNow();
    }
}
