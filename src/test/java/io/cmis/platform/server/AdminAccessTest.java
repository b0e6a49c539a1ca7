package io.cmis.platform.server;

import com.fasterxml.jackson.databind.JsonNode;
import io.cmis.platform.cli.Cli;
import io.cmis.platform.cli.Json;
import io.cmis.platform.config.ConfigException;
import io.cmis.platform.support.PlatformTestBed;
import io.cmis.platform.support.WebhookServer;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The admin pages (dashboard, /metrics, /health/integrations) fail closed: attacked from beyond
 * loopback, from behind a proxy, with a token in the URL, and through serve's verbose log.
 */
class AdminAccessTest {
    private static final String TOKEN = "letmein-0123456789-abcdef";
    private static final List<String> ADMIN = List.of("/", "/metrics");
    private final HttpClient client = HttpClient.newHttpClient();

    @Test
    void the_decision_admits_only_a_loopback_client_not_behind_a_proxy_when_no_token_is_set() throws Exception {
        AdminAccess open = new AdminAccess(Optional.empty());
        Instant now = Instant.parse("2026-11-25T12:00:00Z");
        InetAddress loopback = InetAddress.getByName("127.0.0.1");

        Map<String, String> local = Map.of("host", "127.0.0.1:8080");
        for (String host : List.of("localhost", "localhost:8080", "127.0.0.1", "[::1]:8080", "LocalHost")) {
            assertThat(open.allows(loopback, Map.of("host", host), Optional.empty(), Optional.empty(), now))
                    .as(host).isTrue();
        }
        assertThat(open.allows(InetAddress.getByName("::1"), Map.of("host", "[::1]"), Optional.empty(), Optional.empty(),
                now)).isTrue();
        assertThat(open.allows(InetAddress.getByName("192.0.2.7"), local, Optional.empty(), Optional.empty(), now))
                .as("beyond loopback").isFalse();
        for (String proxy : List.of("x-forwarded-for", "forwarded", "x-real-ip", "via", "x-forwarded-proto",
                "x-forwarded-server", "x-forwarded-port", "x-original-forwarded-for", "true-client-ip",
                "cf-connecting-ip", "x-client-ip", "x-cluster-client-ip")) {
            Map<String, String> proxied = Map.of("host", "127.0.0.1:8080", proxy, "203.0.113.9");
            assertThat(open.allows(loopback, proxied, Optional.empty(), Optional.empty(), now))
                    .as("behind a proxy (%s)", proxy).isFalse();
        }
        // DNS rebinding: the socket is loopback, the name the browser asked for is the attacker's.
        for (String host : List.of("evil.example", "evil.example:8080", "localhost.evil.example", "127.0.0.1.evil.example",
                "127.0.0.2", "0.0.0.0:8080", "localhost:80@evil.example", "")) {
            assertThat(open.allows(loopback, Map.of("host", host), Optional.empty(), Optional.empty(), now))
                    .as("Host: %s", host).isFalse();
        }
        assertThat(open.allows(loopback, Map.of(), Optional.empty(), Optional.empty(), now)).as("no Host").isFalse();
        assertThat(open.allows(null, Map.of(), Optional.empty(), Optional.empty(), now)).isFalse();
    }

    @Test
    void with_a_token_only_the_token_or_a_fresh_session_of_it_admits_even_on_loopback() {
        AdminAccess guarded = new AdminAccess(Optional.of(TOKEN));
        Instant now = Instant.parse("2026-11-25T12:00:00Z");
        InetAddress loopback = InetAddress.getLoopbackAddress();

        assertThat(guarded.allows(loopback, Map.of(), Optional.empty(), Optional.empty(), now)).isFalse();
        assertThat(guarded.allows(loopback, Map.of(), Optional.of("wrong"), Optional.empty(), now)).isFalse();
        assertThat(guarded.allows(loopback, Map.of(), Optional.of(TOKEN), Optional.empty(), now)).isTrue();
        String session = guarded.newSession(now);
        assertThat(session).doesNotContain(TOKEN);
        assertThat(guarded.allows(loopback, Map.of(), Optional.empty(), Optional.of(session), now)).isTrue();
        assertThat(guarded.allows(loopback, Map.of(), Optional.empty(), Optional.of(session),
                now.plus(AdminAccess.SESSION))).as("expired").isFalse();
        String forged = (now.plus(Duration.ofDays(365)).getEpochSecond()) + session.substring(session.indexOf('.'));
        assertThat(guarded.allows(loopback, Map.of(), Optional.empty(), Optional.of(forged), now))
                .as("a later expiry with the old signature").isFalse();
        assertThat(new AdminAccess(Optional.of("another-token-0123456789")).validSession(session, now))
                .as("a new token ends every session").isFalse();
    }

    @Test
    void serve_refuses_to_listen_beyond_loopback_without_a_token() throws Exception {
        assertThatThrownBy(() -> AdminAccess.requireTokenToListenOn(new InetSocketAddress("0.0.0.0", 0),
                Optional.empty())).isInstanceOf(ConfigException.class).hasMessageContaining("serve.admin-token");
        AdminAccess.requireTokenToListenOn(new InetSocketAddress("127.0.0.1", 0), Optional.empty());
        AdminAccess.requireTokenToListenOn(new InetSocketAddress("0.0.0.0", 0), Optional.of(TOKEN));

        try (PlatformTestBed bed = new PlatformTestBed()) {
            for (String bind : List.of("0.0.0.0", nonLoopbackAddress().orElse("192.0.2.1"))) {
                // Today's serve only warned and then served: the deadline keeps a regression from hanging.
                Outcome outcome = assertTimeoutPreemptively(Duration.ofSeconds(60),
                        () -> runCli(bed, Map.of(), "serve", "--bind", bind, "--port", "0", "--workers", "0"));
                assertThat(outcome.code()).isEqualTo(2);
                assertThat(outcome.err().strip()).doesNotContain("\n").contains("serve.admin-token")
                        .doesNotContain("\tat ");
            }
        }
    }

    @Test
    void on_a_non_loopback_address_the_admin_pages_need_the_token() throws Exception {
        Optional<String> address = nonLoopbackAddress();
        assumeTrue(address.isPresent(), "this machine has no non-loopback IPv4 address");
        try (PlatformTestBed open = new PlatformTestBed()) {
            assertThatThrownBy(() -> new WebhookServer(open, address.get()))
                    .hasMessageContaining("serve.admin-token");
        }
        try (PlatformTestBed bed = new PlatformTestBed(Map.of("CMIS_SERVE_ADMIN_TOKEN", TOKEN));
             WebhookServer server = new WebhookServer(bed, address.get())) {
            for (String path : ADMIN) {
                assertThat(get(server.uri(path), Map.of()).statusCode()).as(path).isEqualTo(401);
                assertThat(get(server.uri(path), Map.of("Authorization", "Bearer " + TOKEN)).statusCode()).as(path)
                        .isEqualTo(200);
            }
            HttpResponse<String> health = get(server.uri("/health/integrations"), Map.of());
            assertThat(health.statusCode()).isEqualTo(200);
            assertThat(Json.MAPPER.readTree(health.body()).path("components").path("integrations").has("total"))
                    .as("the numbers, no org data").isTrue();
            assertThat(health.body()).contains("aggregate numbers only");
            assertThat(get(server.uri("/health/live"), Map.of()).statusCode()).isEqualTo(200);
        }
    }

    @Test
    void behind_a_proxy_on_loopback_without_a_token_the_admin_pages_show_no_org_data() throws Exception {
        try (PlatformTestBed bed = new PlatformTestBed(); WebhookServer server = new WebhookServer(bed)) {
            ServeHealthTest.seedDashboard(bed);
            for (String proxy : List.of("X-Forwarded-For", "Forwarded", "X-Real-IP", "CF-Connecting-IP",
                    "X-Forwarded-Server")) {
                Map<String, String> proxied = Map.of(proxy, proxy.equals("Forwarded") ? "for=203.0.113.9" : "203.0.113.9");
                for (String path : ADMIN) {
                    HttpResponse<String> refused = get(server.uri(path), proxied);
                    assertThat(refused.statusCode()).as(proxy + " " + path).isEqualTo(401);
                    assertThat(refused.body()).doesNotContain("Acme Ads").doesNotContain("token revoked");
                }
                HttpResponse<String> health = get(server.uri("/health/integrations"), proxied);
                JsonNode brief = Json.MAPPER.readTree(health.body());
                assertThat(health.statusCode()).as("a load balancer still sees critical").isEqualTo(503);
                assertThat(brief.get("status").asText()).isEqualTo("critical");
                assertThat(brief.path("components").path("integrations").path("needs_reauth").asLong()).isEqualTo(1);
                assertThat(health.body()).doesNotContain("Acme Ads").doesNotContain("token revoked");
            }
            assertThat(get(server.uri("/"), Map.of()).body()).as("a local client, not proxied").contains("Acme Ads");
            assertThat(Json.MAPPER.readTree(get(server.uri("/health/integrations"), Map.of()).body())
                    .has("components")).isTrue();
        }
    }

    @Test
    void a_page_that_rebinds_its_domain_to_loopback_reads_no_org_data_without_a_token() throws Exception {
        try (PlatformTestBed bed = new PlatformTestBed(); WebhookServer server = new WebhookServer(bed)) {
            ServeHealthTest.seedDashboard(bed);
            int port = server.uri("/").getPort();
            for (String path : ADMIN) {
                String rebound = rawGet(port, path, "evil.example:" + port);
                assertThat(rebound).as(path).startsWith("HTTP/1.1 401").doesNotContain("Acme Ads")
                        .doesNotContain("token revoked");
            }
            String health = rawGet(port, "/health/integrations", "evil.example");
            assertThat(health).startsWith("HTTP/1.1 503").contains("\"components\"").contains("aggregate numbers only")
                    .doesNotContain("Acme Ads").doesNotContain("token revoked");
            assertThat(rawGet(port, "/", "localhost:" + port)).as("the same socket asking for localhost")
                    .startsWith("HTTP/1.1 200").contains("Acme Ads");
        }
    }

    @Test
    void unauthenticated_health_keeps_the_components_numbers_and_no_org_data() throws Exception {
        String org = "6f1c2a34-5b6d-4e7f-8a9b-0c1d2e3f4a5b";
        String integration = "9e8d7c6b-5a49-4382-a1b0-c9d8e7f6a5b4";
        try (PlatformTestBed bed = new PlatformTestBed(Map.of("CMIS_SERVE_ADMIN_TOKEN", TOKEN));
             WebhookServer server = new WebhookServer(bed)) {
            Instant now = bed.clock.instant();
            bed.jdbi.useHandle(h -> {
                h.execute("""
                        INSERT INTO cmis_platform.integrations (id, org_id, platform, external_account_id, account_name,
                            token_kind, access_token_enc, status, status_reason)
                        VALUES (?::uuid, ?::uuid, 'meta', 'act_771234', 'Zanzibar Widgets Ltd', 'user', 'x', 'needs_reauth',
                                'Zanzibar Widgets Ltd revoked the app')""", integration, org);
                h.execute("""
                        INSERT INTO cmis_platform.circuit_breakers (platform, state, opened_at, wait_seconds, updated_at,
                            last_failure)
                        VALUES ('meta', 'open', ?, 60, ?, ?)""", java.sql.Timestamp.from(now), java.sql.Timestamp.from(now),
                        "integration " + integration + " (act_771234, Zanzibar Widgets Ltd): HTTP 500");
                h.execute("""
                        INSERT INTO cmis_platform.rate_limits (platform, scope, usage_pct, limited_until, detail)
                        VALUES ('meta', ?, 100, ?, ?)""", "ad_account:act_771234:" + org,
                        java.sql.Timestamp.from(now.plus(Duration.ofMinutes(30))), "act_771234 of org " + org + " throttled");
            });

            HttpResponse<String> admin = get(server.uri("/health/integrations"), Map.of("Authorization", "Bearer " + TOKEN));
            assertThat(admin.body()).as("the seeded texts are in the admin's document").contains("act_771234")
                    .contains(org).contains(integration);

            HttpResponse<String> anyone = get(server.uri("/health/integrations"), Map.of());
            assertThat(anyone.statusCode()).as("an open breaker is critical for a load balancer too").isEqualTo(503);
            JsonNode components = Json.MAPPER.readTree(anyone.body()).get("components");
            assertThat(components.path("integrations").path("total").asLong()).isEqualTo(1);
            assertThat(components.path("integrations").path("needs_reauth").asLong()).isEqualTo(1);
            assertThat(components.path("integrations").has("active")).isTrue();
            assertThat(components.path("integrations").has("expiring_soon")).isTrue();
            assertThat(components.path("integrations").has("refresh_overdue")).isTrue();
            assertThat(components.has("scheduled_jobs")).as("admin view only").isFalse();
            assertThat(components.path("webhooks").has("pending_retries")).isTrue();
            assertThat(components.path("webhooks").has("dead_letter_queue")).isTrue();
            assertThat(components.path("webhooks").has("success_rate")).isTrue();
            for (String field : List.of("total", "success_rate", "avg_duration_ms", "health")) {
                assertThat(components.path("api_calls").path("meta").has(field)).as(field).isTrue();
            }
            assertThat(components.path("circuit_breakers").path("meta").path("state").asText()).isEqualTo("open");
            assertThat(components.path("rate_limits").path("meta").path("limited_scopes").asLong()).isEqualTo(1);
            assertThat(components.path("rate_limits").path("meta").has("limited")).as("scope names carry ids").isFalse();
            assertThat(components.path("circuit_breakers").path("meta").has("last_failure")).isFalse();
            assertThat(anyone.body()).doesNotContain("act_771234").doesNotContain("Zanzibar").doesNotContain(org)
                    .doesNotContain(integration);
        }
    }

    @Test
    void serve_refuses_a_guessable_admin_token() throws Exception {
        try (PlatformTestBed bed = new PlatformTestBed()) {
            Outcome outcome = assertTimeoutPreemptively(Duration.ofSeconds(60), () -> runCli(bed,
                    Map.of("CMIS_SERVE_ADMIN_TOKEN", "letmein-12345"), "serve", "--port", "0", "--workers", "0"));
            assertThat(outcome.code()).isEqualTo(2);
            assertThat(outcome.err().strip()).doesNotContain("\n").contains("serve.admin-token").contains("16")
                    .doesNotContain("letmein-12345").doesNotContain("\tat ");
        }
        assertThatThrownBy(() -> AdminAccess.requireLongToken(Optional.of("0123456789abcde")))
                .isInstanceOf(ConfigException.class);
        AdminAccess.requireLongToken(Optional.of("0123456789abcdef"));
        AdminAccess.requireLongToken(Optional.of(""));
    }

    /** A request with a Host of our choosing, as a browser sends it after DNS rebinding (HttpClient will not). */
    private static String rawGet(int port, String path, String host) throws Exception {
        try (java.net.Socket socket = new java.net.Socket(InetAddress.getLoopbackAddress(), port)) {
            socket.setSoTimeout(30_000);
            socket.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            return new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void a_token_in_the_url_is_refused_and_the_browser_signs_in_with_a_form_instead() throws Exception {
        try (PlatformTestBed bed = new PlatformTestBed(Map.of("CMIS_SERVE_ADMIN_TOKEN", TOKEN));
             WebhookServer server = new WebhookServer(bed)) {
            for (String path : List.of("/", "/metrics", "/health/integrations")) {
                HttpResponse<String> inUrl = get(server.uri(path + "?token=" + TOKEN), Map.of());
                assertThat(inUrl.statusCode()).as(path).isEqualTo(400);
                assertThat(inUrl.body()).contains("not accepted in a URL");
            }
            HttpResponse<String> form = get(server.uri("/"), Map.of());
            assertThat(form.statusCode()).isEqualTo(401);
            assertThat(form.body()).contains("<form method=post action=login>").contains("type=password");

            HttpResponse<String> wrong = post(server.uri("/login"), "token=nope");
            assertThat(wrong.statusCode()).isEqualTo(401);
            assertThat(wrong.headers().firstValue("set-cookie")).isEmpty();
            HttpResponse<String> signedIn = post(server.uri("/login"), "token=" + TOKEN);
            assertThat(signedIn.statusCode()).isEqualTo(303);
            String cookie = signedIn.headers().firstValue("set-cookie").orElseThrow();
            assertThat(cookie).startsWith("cmis_admin=").contains("HttpOnly").contains("SameSite=Strict")
                    .doesNotContain(TOKEN);
            HttpResponse<String> dashboard = get(server.uri("/"), Map.of("Cookie", cookie.substring(0, cookie.indexOf(';'))));
            assertThat(dashboard.statusCode()).isEqualTo(200);
            assertThat(dashboard.body()).contains("id=overall");
        }
    }

    @Test
    void serve_verbose_never_writes_the_admin_token_into_its_log() throws Exception {
        try (PlatformTestBed bed = new PlatformTestBed()) {
            Map<String, String> env = new HashMap<>(bed.processEnvironment());
            env.put("CMIS_SERVE_ADMIN_TOKEN", TOKEN);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            Thread serve = new Thread(() -> cli(env, out, err).run("-v", "serve", "--port", "0", "--workers", "0"));
            serve.start();
            try {
                URI base = URI.create("http://127.0.0.1:" + awaitPort(serve, out));
                for (String path : List.of("/", "/metrics", "/health/integrations")) {
                    assertThat(get(base.resolve(path), Map.of("Authorization", "Bearer " + TOKEN)).statusCode())
                            .isEqualTo(200);
                    get(base.resolve(path + "?token=" + TOKEN), Map.of());
                }
                String cookie = post(base.resolve("/login"), "token=" + TOKEN).headers().firstValue("set-cookie")
                        .orElseThrow();
                String session = cookie.substring(cookie.indexOf('=') + 1, cookie.indexOf(';'));
                assertThat(get(base.resolve("/"), Map.of("Cookie", "cmis_admin=" + session)).statusCode()).isEqualTo(200);

                String log = err.toString(StandardCharsets.UTF_8);
                assertThat(log).as("serve -v did log").contains("DEBUG");
                assertThat(log).doesNotContain(TOKEN).doesNotContain(session);
            } finally {
                serve.interrupt();
                serve.join(30_000);
            }
        }
    }

    private record Outcome(int code, String err) {
    }

    private static Outcome runCli(PlatformTestBed bed, Map<String, String> extra, String... args) {
        Map<String, String> env = new HashMap<>(bed.processEnvironment());
        env.putAll(extra);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = cli(env, out, err).run(args);
        return new Outcome(code, err.toString(StandardCharsets.UTF_8));
    }

    private static Cli cli(Map<String, String> env, ByteArrayOutputStream out, ByteArrayOutputStream err) {
        return Cli.create(env, null, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), Clock.systemUTC());
    }

    private static int awaitPort(Thread serve, ByteArrayOutputStream out) throws InterruptedException {
        Pattern listening = Pattern.compile("listening on http://127\\.0\\.0\\.1:(\\d+)");
        for (int i = 0; i < 1200 && serve.isAlive(); i++) {
            Matcher m = listening.matcher(out.toString(StandardCharsets.UTF_8));
            if (m.find()) {
                return Integer.parseInt(m.group(1));
            }
            Thread.sleep(50); // serve is starting (a deadline, not a wait for time to pass)
        }
        throw new AssertionError("serve did not start: " + out);
    }

    private HttpResponse<String> get(URI uri, Map<String, String> headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri);
        headers.forEach(request::header);
        return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> post(URI uri, String form) throws Exception {
        return client.send(HttpRequest.newBuilder(uri).header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form)).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** An IPv4 address of this machine that is not loopback, if it has one. */
    static Optional<String> nonLoopbackAddress() throws Exception {
        return NetworkInterface.networkInterfaces().filter(i -> {
            try {
                return i.isUp() && !i.isLoopback();
            } catch (java.net.SocketException e) {
                return false;
            }
        }).flatMap(NetworkInterface::inetAddresses).filter(a -> a instanceof java.net.Inet4Address)
                .map(InetAddress::getHostAddress).findFirst();
    }
}
