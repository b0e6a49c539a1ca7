package io.cmis.platform.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.cmis.platform.sandbox.Fault;
import io.cmis.platform.sandbox.Sandbox;
import io.cmis.platform.sandbox.SandboxClock;
import io.cmis.platform.sandbox.WebhookEmitter;
import io.cmis.platform.store.EmbeddedPostgresServer;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The demo's steps. Each drives the real commands in this process (the same code operators run),
 * against the sandbox and a demo database, prints one line with the numbers that prove it, and
 * says whether it behaved as expected.
 */
final class Demo {
    private static final Pattern LISTENING = Pattern.compile("listening on (http://127\\.0\\.0\\.1:(\\d+))");

    private final CliContext context;
    private final Path requestedDir;
    private final boolean keepServing;
    private final SandboxClock clock = new SandboxClock(Instant.now().truncatedTo(ChronoUnit.SECONDS));
    private final HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private final List<String> failed = new ArrayList<>();
    private Map<String, String> env;
    private Sandbox sandbox;
    private int port;

    private record Run(int code, String out, String err) {
        JsonNode json() throws IOException {
            return Json.MAPPER.readTree(out);
        }
    }

    Demo(CliContext context, Path dataDir, boolean keepServing) {
        this.context = context;
        this.requestedDir = dataDir;
        this.keepServing = keepServing;
    }

    boolean run() throws Exception {
        Path dir = requestedDir != null ? requestedDir : Files.createTempDirectory("cmis-demo");
        Thread[] serving = new Thread[1];
        try (Sandbox started = Sandbox.start(0, clock); EmbeddedPostgresServer database = EmbeddedPostgresServer.acquire(dir)) {
            sandbox = started;
            try {
                steps(dir, database, serving);
            } finally {
                // serve first: the database can only stop once serve has given back its connections.
                if (serving[0] != null) {
                    serving[0].interrupt();
                    serving[0].join(30_000);
                }
            }
        } finally {
            if (requestedDir == null && !keepServing) {
                deleteQuietly(dir);
            }
        }
        return failed.isEmpty();
    }

    private void steps(Path dir, EmbeddedPostgresServer database, Thread[] serving) throws Exception {
        env = new HashMap<>(sandbox.environment());
        env.put("CMIS_DATA_DIR", dir.toString());
        // The steps run in this process and share the one embedded server started here, as a
        // database given by URL (the embedded server's file locks are per process, not per step).
        env.put("CMIS_DATABASE_URL", database.jdbcUrl());
        env.put("CMIS_DATABASE_USER", database.user());
        env.put("CMIS_DATABASE_PASSWORD", database.password());
        byte[] key = new byte[32];
        new java.security.SecureRandom().nextBytes(key);
        env.put("CMIS_ENCRYPTION_KEYS", "demo:" + java.util.Base64.getEncoder().encodeToString(key));
        Run migrate = run("--json", "db", "migrate");
        check("database", migrate.code() == 0, "embedded PostgreSQL in " + dir + ", schema at version "
                + (migrate.code() == 0 ? migrate.json().get("schema_version").asText() : "? (" + migrate.err().trim()
                + ")"));

        ByteArrayOutputStream serveOut = new ByteArrayOutputStream();
        Thread serve = new Thread(() -> cli(serveOut, new ByteArrayOutputStream()).run("serve", "--port", "0",
                "--workers", "2"), "demo-serve");
        serving[0] = serve;
        serve.start();
        String url = awaitListening(serve, serveOut);

        String orgA = UUID.randomUUID().toString();
        String orgB = UUID.randomUUID().toString();
        connect(orgA, orgB, url);
        sync();
        webhooks(orgA);
        tokens();
        breaker();
        health();
        line("demo: " + (failed.isEmpty() ? "every step behaved as expected" : failed.size() + " step(s) did not: "
                + String.join(", ", failed)));
        if (keepServing) {
            line("dashboard: " + url + "/  (the sandbox and serve keep running; Ctrl-C stops them)");
            serve.join();
        }
    }

    private void connect(String orgA, String orgB, String url) throws Exception {
        int connected = 0;
        String[][] flows = {{orgA, "meta"}, {orgA, "google"}, {orgA, "tiktok", "--kind", "tt_user"}, {orgA, "snapchat"},
            {orgA, "linkedin"}, {orgA, "x"}, {orgB, "meta"}};
        for (String[] flow : flows) {
            List<String> args = new ArrayList<>(List.of("--json", "connect", "start", flow[1], "--org", flow[0],
                    "--browser"));
            for (int i = 2; i < flow.length; i++) {
                args.add(flow[i]);
            }
            JsonNode link = run(args.toArray(String[]::new)).json();
            // The user's browser (its own cookies) opens the start link on serve, which binds the flow to it
            // and sends it to the platform; the user consents; the platform redirects to serve's callback.
            HttpClient browser = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER)
                    .cookieHandler(new java.net.CookieManager()).connectTimeout(Duration.ofSeconds(5)).build();
            HttpResponse<Void> start = browser.send(HttpRequest.newBuilder(onServe(url, link.get("start_url")
                    .asText())).build(), HttpResponse.BodyHandlers.discarding());
            HttpResponse<Void> consent = browser.send(HttpRequest.newBuilder(URI.create(start.headers()
                    .firstValue("location").orElseThrow())).build(), HttpResponse.BodyHandlers.discarding());
            HttpResponse<String> page = browser.send(HttpRequest.newBuilder(onServe(url, consent.headers()
                    .firstValue("location").orElseThrow())).build(), HttpResponse.BodyHandlers.ofString());
            connected += page.statusCode() == 200 && page.body().contains("is connected") ? 1 : 0;
        }
        int listed = run("--json", "integrations", "list").json().size();
        check("connect", connected == flows.length && listed == flows.length, connected + " OAuth flows completed "
                + "through serve's callback (Meta, Google, TikTok, Snapchat, LinkedIn, X for org " + orgA.substring(0, 8)
                + ", Meta for org "
                + orgB.substring(0, 8) + "); " + listed + " integrations, tokens encrypted");
    }

    /** The sandbox's redirect URIs name port 8080; the demo's serve listens on a free port. */
    private static URI onServe(String url, String link) {
        URI uri = URI.create(link);
        return URI.create(url + uri.getRawPath() + "?" + uri.getRawQuery());
    }

    private void sync() throws Exception {
        JsonNode sync = run("--json", "sync").json();
        int channels = run("--json", "channels", "list").json().size();
        int adAccounts = run("--json", "ad-accounts", "list").json().size();
        check("sync", sync.get("succeeded").asInt() == 7 && sync.get("failed").asInt() == 0 && channels > 0
                && adAccounts > 0, sync.get("succeeded").asInt() + " integrations synced, " + sync.get("failed").asInt()
                + " failed: " + channels + " channels, " + adAccounts + " ad accounts; a second run adds "
                + run("--json", "sync").json().findValues("channels_added").stream().mapToInt(JsonNode::asInt).sum()
                + " channels");
    }

    private void webhooks(String orgA) throws Exception {
        String page = "";
        for (JsonNode c : run("--json", "channels", "list", "--org", orgA, "--platform", "meta").json()) {
            if (c.get("type").asText().equals("facebook_page")) {
                page = c.get("external_id").asText();
                break;
            }
        }
        long now = clock.instant().getEpochSecond();
        WebhookEmitter.Delivery batch = WebhookEmitter.meta(metaChanges(page, "c1", "c2"));
        WebhookEmitter.Delivery single = WebhookEmitter.meta(metaChanges(page, "c3"));
        WebhookEmitter.Delivery tiktok = WebhookEmitter.tiktok("{\"client_key\":\"sandbox\",\"event\":"
                + "\"video.publish.completed\",\"create_time\":" + now + ",\"user_openid\":\""
                + io.cmis.platform.sandbox.TikTokSimulator.OPEN_ID + "\",\"content\":\"{\\\"share_id\\\":\\\"s1\\\"}\"}", now);
        WebhookEmitter.Delivery google = WebhookEmitter.google(sandbox.google(), "demo-1", "{\"notice\":1}",
                clock.instant());
        List<WebhookEmitter.Delivery> sent = List.of(batch, single, tiktok, google, batch, tiktok, google,
                single.missigned());
        int stored = 0;
        int duplicates = 0;
        int rejected = 0;
        for (WebhookEmitter.Delivery d : sent) {
            String platform = d == tiktok ? "tiktok" : d == google ? "google" : "meta";
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/webhooks/"
                    + platform)).POST(HttpRequest.BodyPublishers.ofString(d.body()));
            d.headers().forEach(request::header);
            HttpResponse<String> answer = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
            if (answer.statusCode() == 401) {
                rejected++;
            } else if (answer.body().contains("already_processed")) {
                duplicates++;
            } else if (answer.statusCode() == 200) {
                stored += Json.MAPPER.readTree(answer.body()).get("stored").asInt();
            }
        }
        JsonNode stats = run("--json", "webhooks", "stats").json();
        for (int i = 0; i < 100 && stats.get("queued").asInt() + stats.get("processing").asInt() > 0; i++) {
            Thread.sleep(100); // serve's workers are at it
            stats = run("--json", "webhooks", "stats").json();
        }
        int processed = stats.get("processed_24h").asInt();
        check("webhooks", stored == 5 && duplicates == 3 && rejected == 1 && processed == 5, sent.size() + " sent, "
                + stored + " events stored, " + duplicates + " duplicates ignored, " + rejected
                + " rejected (bad signature), " + processed + " processed by serve's workers");
    }

    private static String metaChanges(String page, String... comments) {
        StringBuilder changes = new StringBuilder();
        for (String c : comments) {
            changes.append(changes.length() == 0 ? "" : ",").append("{\"field\":\"feed\",\"value\":{\"item\":\"comment\","
                    + "\"verb\":\"add\",\"post_id\":\"" + page + "_1\",\"comment_id\":\"" + c + "\"}}");
        }
        return "{\"object\":\"page\",\"entry\":[{\"id\":\"" + page + "\",\"time\":1,\"changes\":[" + changes + "]}]}";
    }

    private void tokens() throws Exception {
        sandbox.google().revokeUser(); // the user removed the app's access on Google
        clock.advance(Duration.ofHours(23));
        JsonNode refresh = run("--json", "tokens", "refresh").json();
        int refreshed = 0;
        int reauth = 0;
        for (JsonNode item : refresh.get("items")) {
            refreshed += item.get("outcome").asText().equals("refreshed") ? 1 : 0;
            reauth += item.get("outcome").asText().equals("needs_reauth") ? 1 : 0;
        }
        long waiting = 0;
        for (JsonNode i : run("--json", "integrations", "list", "--status", "needs_reauth").json()) {
            waiting += i.get("platform").asText().equals("google") ? 1 : 0;
        }
        long alerts = 0;
        for (JsonNode a : run("--json", "alerts", "list").json()) {
            alerts += a.get("kind").asText().equals("needs_reauth") ? 1 : 0;
        }
        check("tokens", refreshed >= 1 && reauth == 1 && waiting == 1 && alerts == 1, "clock moved 23 h: " + refreshed
                + " refreshed before expiry, " + reauth + " revoked grant now needs_reauth (google), " + alerts
                + " alert raised for it (alerts list)");
    }

    private void breaker() throws Exception {
        sandbox.meta().failNext(1_000, ".*", Fault.TRANSIENT); // Meta answers 5xx from now on
        int before = sandbox.meta().requests();
        run("sync", "--platform", "meta");
        int failedCalls = sandbox.meta().requests() - before;
        int again = sandbox.meta().requests();
        Run second = run("sync", "--platform", "meta");
        int callsAfterOpen = sandbox.meta().requests() - again;
        JsonNode meta = run("--json", "health").json().at("/components/circuit_breakers/meta");
        sandbox.meta().clearFaults();
        check("breaker", meta.get("state").asText().equals("open") && callsAfterOpen == 0,
                "Meta answering 5xx: " + failedCalls + " failed calls opened its breaker (until "
                        + meta.get("open_until").asText() + "); the next sync made " + callsAfterOpen + " calls: "
                        + second.out().lines().filter(l -> l.contains("breaker")).findFirst().orElse("").trim());
    }

    private void health() throws Exception {
        Run health = run("health");
        check("health", health.code() == 2, "exit " + health.code() + " (critical: Meta's breaker is open; Google "
                + "needs re-auth)");
        health.out().lines().forEach(l -> line("    " + l));
    }

    private String awaitListening(Thread serve, ByteArrayOutputStream serveOut) throws InterruptedException {
        for (int i = 0; i < 600 && serve.isAlive(); i++) {
            Matcher m = LISTENING.matcher(serveOut.toString(StandardCharsets.UTF_8));
            if (m.find()) {
                port = Integer.parseInt(m.group(2));
                check("serve", true, "listening on " + m.group(1) + " (webhooks, OAuth callback, health, metrics, "
                        + "dashboard; 2 workers)");
                return m.group(1);
            }
            Thread.sleep(50); // serve is starting
        }
        throw new IllegalStateException("serve did not start: " + serveOut);
    }

    private Run run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = cli(out, err).run(args);
        return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private Cli cli(ByteArrayOutputStream out, ByteArrayOutputStream err) {
        return Cli.create(env, context.home(), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), clock);
    }

    private void check(String step, boolean asExpected, String numbers) {
        if (!asExpected) {
            failed.add(step);
        }
        line(String.format("%-9s %s  %s", step + ":", asExpected ? "ok " : "NOT", numbers));
    }

    private void line(String text) {
        context.printer().line(text);
    }

    private static void deleteQuietly(Path dir) {
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException | java.io.UncheckedIOException ignored) {
            // a temporary directory; the system cleans it eventually
        }
    }
}
