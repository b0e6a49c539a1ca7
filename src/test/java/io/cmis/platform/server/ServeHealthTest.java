package io.cmis.platform.server;

import com.fasterxml.jackson.databind.JsonNode;
import io.cmis.platform.cli.Json;
import io.cmis.platform.health.HealthReport;
import io.cmis.platform.health.HealthStatus;
import io.cmis.platform.notifications.NotificationDelivery;
import io.cmis.platform.sandbox.Fault;
import io.cmis.platform.sandbox.WebhookEmitter;
import io.cmis.platform.support.CliRun;
import io.cmis.platform.support.ForwardReceiver;
import io.cmis.platform.support.OAuthUser;
import io.cmis.platform.support.PlatformTestBed;
import io.cmis.platform.support.WebhookServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpResponse;
import java.sql.Timestamp;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/** serve's /health/integrations, /metrics and dashboard over real HTTP, and detection end to end. */
class ServeHealthTest {
    private final String org = UUID.randomUUID().toString();
    private ForwardReceiver alerts;
    private PlatformTestBed bed;
    private WebhookServer server;
    private CliRun cli;

    @BeforeEach
    void start() {
        alerts = new ForwardReceiver();
        bed = new PlatformTestBed(Map.of("CMIS_ALERTS_WEBHOOK_URL", alerts.url()));
        server = new WebhookServer(bed);
        cli = bed.cli();
        cli.env("CMIS_ALERTS_WEBHOOK_URL", alerts.url());
    }

    @AfterEach
    void stop() {
        server.close();
        bed.close();
        alerts.close();
    }

    @Test
    void health_integrations_answers_200_until_critical_then_503_with_the_same_json() throws Exception {
        HttpResponse<String> ok = server.get("/health/integrations");
        assertThat(ok.statusCode()).isEqualTo(200);
        JsonNode healthy = Json.MAPPER.readTree(ok.body());
        assertThat(healthy.get("status").asText()).isEqualTo("healthy");
        assertThat(healthy.at("/components/webhooks/dead_letter_queue").asInt()).isZero();

        openBreaker("google");
        bed.clock.advance(java.time.Duration.ofSeconds(10)); // past the few seconds an evaluation is reused
        HttpResponse<String> critical = server.get("/health/integrations");
        assertThat(critical.statusCode()).isEqualTo(503);
        assertThat(Json.MAPPER.readTree(critical.body()).at("/components/circuit_breakers/google/state").asText())
                .isEqualTo("open");
        assertThat(server.get("/health/live").statusCode()).isEqualTo(200);
    }

    @Test
    void health_live_names_a_loop_that_died_and_the_watchdog_reports_it() throws Exception {
        JsonNode ok = Json.MAPPER.readTree(server.get("/health/live").body());
        assertThat(ok.get("status").asText()).isEqualTo("ok");
        assertThat(ok.get("loops").toString()).contains("webhook intake committer");

        java.util.concurrent.atomic.AtomicBoolean running = new java.util.concurrent.atomic.AtomicBoolean(true);
        server.liveness.watch("test loop", running::get);
        java.util.List<java.util.List<String>> reported = new java.util.ArrayList<>();
        Runnable watchdog = server.liveness.watchdog(reported::add);
        watchdog.run();
        assertThat(reported).as("nothing dead, nothing reported").isEmpty();

        running.set(false);
        HttpResponse<String> dead = server.get("/health/live");
        assertThat(dead.statusCode()).isEqualTo(503);
        assertThat(Json.MAPPER.readTree(dead.body()).get("dead").toString()).isEqualTo("[\"test loop\"]");
        watchdog.run();
        assertThat(reported).containsExactly(java.util.List.of("test loop"));
    }

    @Test
    void metrics_say_which_loop_of_serve_died() throws Exception {
        java.util.concurrent.atomic.AtomicBoolean running = new java.util.concurrent.atomic.AtomicBoolean(true);
        server.liveness.watch("test loop", running::get);
        assertThat(server.get("/metrics").body()).contains("cmis_serve_loop_up{loop=\"test loop\"} 1.0")
                .contains("cmis_serve_loop_up{loop=\"webhook intake committer\"} 1.0");

        running.set(false);
        assertThat(server.get("/metrics").body()).contains("cmis_serve_loop_up{loop=\"test loop\"} 0.0")
                .contains("cmis_serve_loop_up{loop=\"webhook intake committer\"} 1.0");
    }

    @Test
    void a_cached_health_document_says_how_old_it_is() throws Exception {
        assertThat(server.get("/health/integrations").statusCode()).isEqualTo(200);
        bed.clock.advance(java.time.Duration.ofMillis(1500)); // within the 2 s a document is reused
        JsonNode cached = Json.MAPPER.readTree(server.get("/health/integrations").body());
        assertThat(cached.get("age_seconds").asDouble()).isEqualTo(1.5);
        bed.clock.advance(java.time.Duration.ofSeconds(1)); // now older than that: evaluated anew
        assertThat(Json.MAPPER.readTree(server.get("/health/integrations").body()).get("age_seconds").asDouble())
                .isZero();
    }

    @Test
    void metrics_are_prometheus_text_with_health_intake_processing_api_calls_and_jvm() throws Exception {
        server.post("meta", WebhookEmitter.meta("""
                {"object":"page","entry":[{"id":"1","time":1,"changes":[
                  {"field":"feed","value":{"item":"comment","verb":"add","comment_id":"a"}},
                  {"field":"feed","value":{"item":"comment","verb":"add","comment_id":"b"}}]}]}"""));
        server.post("meta", WebhookEmitter.meta("{}").missigned());
        io.cmis.platform.support.Browser user = new io.cmis.platform.support.Browser();
        user.get(user.begin(cli, server, org, "meta").callback()); // platform calls

        HttpResponse<String> metrics = server.get("/metrics");
        assertThat(metrics.statusCode()).isEqualTo(200);
        assertThat(metrics.headers().firstValue("content-type").orElse("")).startsWith("text/plain");
        String text = metrics.body();
        assertThat(text).contains("# TYPE cmis_health_status gauge")
                .contains("cmis_health_status{component=\"overall\"} 0.0")
                .contains("cmis_webhook_requests_total{platform=\"meta\",status=\"200\"} 1.0")
                .contains("cmis_webhook_requests_total{platform=\"meta\",status=\"401\"} 1.0")
                .contains("cmis_webhook_events{status=\"queued\"} 2.0")
                .contains("# TYPE cmis_api_call_duration_seconds histogram")
                .containsPattern("cmis_api_call_duration_seconds_count\\{outcome=\"success\",platform=\"meta\"} [1-9]")
                .contains("jvm_memory_used_bytes");
        io.cmis.platform.config.BuildInfo build = io.cmis.platform.config.BuildInfo.current();
        assertThat(text).as("which build answers").contains("cmis_build_info{build_time=\"" + build.buildTime()
                + "\",commit=\"" + build.commit() + "\",version=\"" + build.version() + "\"} 1");
        for (String line : text.split("\n")) {
            assertThat(line).as("a comment or `name{labels} value`").matches(
                    "# (HELP|TYPE) .*|[a-zA-Z_:][a-zA-Z0-9_:]*(\\{.*})? (-?[0-9.E+-]+|NaN|\\+Inf|-Inf)");
        }
    }

    @Test
    void a_platform_that_starts_failing_is_detected_and_alerted_at_the_next_evaluation() throws Exception {
        OAuthUser.connect(cli, org, "meta");
        assertThat(server.monitor.evaluateAndAlert().status()).isEqualTo(HealthStatus.HEALTHY);

        bed.sandbox.meta().failNext(30, ".*", Fault.TRANSIENT); // Meta answers 5xx from now on
        cli.run("sync");
        cli.run("sync"); // enough failures in a row: the breaker opens (persisted)

        HealthReport next = server.monitor.evaluateAndAlert();
        assertThat(next.status()).isEqualTo(HealthStatus.CRITICAL);
        int delivered = new NotificationDelivery(bed.tenancy(), URI.create(alerts.url()), bed.clock).deliverDue();
        assertThat(delivered).isEqualTo(1);
        assertThat(alerts.received()).hasSize(1);
        assertThat(alerts.received().get(0).body()).contains("critical").contains("circuit_breakers.meta");
        assertThat(server.monitor.evaluateAndAlert().status()).isEqualTo(HealthStatus.CRITICAL);
        assertThat(new NotificationDelivery(bed.tenancy(), URI.create(alerts.url()), bed.clock).deliverDue())
                .as("the same state alerts once").isZero();
    }

    @Test
    void the_dashboard_is_one_self_contained_page_with_the_numbers() throws Exception {
        seedDashboard(bed);
        HttpResponse<String> page = server.get("/");
        assertThat(page.statusCode()).isEqualTo(200);
        String html = page.body();
        assertThat(html).contains("<meta http-equiv=refresh content=30>")
                .contains("id=overall class='badge critical'")
                .contains("needs re-auth</th><td class=num>1")
                .contains("dead letters</th><td class=num>1")
                .contains("the forward URL answered HTTP 410")
                .contains("token revoked by the user &lt;script&gt;")
                .contains("<svg").contains("id='chart-meta'").contains("12 calls, 75.0% ok")
                .contains("<footer class=muted id=build>cmis-platform "
                        + io.cmis.platform.config.BuildInfo.current().describe() + "</footer>");
        assertThat(html).doesNotContain("<script").doesNotContain("src=").doesNotContain("<link")
                .doesNotContain("@import").doesNotContain("url(").doesNotContain(" style=");
        assertThat(page.headers().firstValue("content-security-policy").orElseThrow())
                .startsWith("default-src 'none'; style-src 'sha256-").contains("frame-ancestors 'none'")
                .doesNotContain("unsafe-inline").doesNotContain("script-src");
        assertThat(page.headers().firstValue("x-content-type-options")).contains("nosniff");
        assertThat(page.headers().firstValue("x-frame-options")).contains("DENY");
        assertThat(page.headers().firstValue("referrer-policy")).contains("no-referrer");
        for (String json : java.util.List.of("/health/integrations", "/health/live", "/metrics", "/nowhere")) {
            assertThat(server.get(json).headers().firstValue("x-content-type-options")).as(json).contains("nosniff");
        }
        HttpResponse<String> callback = server.get("/oauth/callback/meta?code=a");
        assertThat(callback.headers().firstValue("content-security-policy").orElseThrow())
                .startsWith("default-src 'none';").contains("frame-ancestors 'none'");
        assertThat(callback.headers().firstValue("referrer-policy")).contains("no-referrer");
    }

    @Test
    void with_an_admin_token_the_dashboard_metrics_and_health_need_it_and_intake_does_not() throws Exception {
        try (PlatformTestBed guarded = new PlatformTestBed(Map.of("CMIS_SERVE_ADMIN_TOKEN", "letmein-0123456789"));
             WebhookServer admin = new WebhookServer(guarded)) {
            for (String path : java.util.List.of("/", "/metrics", "/health/integrations")) {
                HttpResponse<String> refused = admin.get(path);
                if (path.equals("/health/integrations")) {
                    // A load balancer needs no token: it gets the overall status, and no org's data.
                    assertThat(refused.statusCode()).as(path).isEqualTo(200);
                    assertThat(Json.MAPPER.readTree(refused.body()).path("components").path("integrations")
                            .has("total")).isTrue();
                    assertThat(refused.body()).contains("aggregate numbers only");
                } else {
                    assertThat(refused.statusCode()).as(path).isEqualTo(401);
                    assertThat(refused.headers().firstValue("www-authenticate")).contains("Bearer");
                }
                assertThat(admin.get(path + "?token=wrong").statusCode()).as(path).isEqualTo(400);
                assertThat(admin.get(path + "?token=letmein-0123456789").statusCode())
                        .as("never in a URL: " + path).isEqualTo(400);
                HttpResponse<String> bearer = java.net.http.HttpClient.newHttpClient().send(
                        java.net.http.HttpRequest.newBuilder(admin.uri(path))
                                .header("Authorization", "Bearer letmein-0123456789").build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(bearer.statusCode()).as(path).isEqualTo(200);
                assertThat(bearer.body()).as(path).doesNotContain("aggregate numbers only");
            }
            assertThat(admin.get("/health/live").statusCode()).isEqualTo(200);
            assertThat(admin.post("meta", WebhookEmitter.meta("{\"object\":\"page\",\"entry\":[]}"))
                    .statusCode()).as("platforms need no token").isEqualTo(200);
        }
    }

    /** A needs-re-auth integration, a dead letter, an open breaker and a day of Meta calls. */
    static void seedDashboard(PlatformTestBed bed) {
        java.time.Instant now = bed.clock.instant();
        bed.jdbi.useHandle(h -> {
            h.execute("""
                    INSERT INTO cmis_platform.integrations (id, org_id, platform, external_account_id, account_name,
                        token_kind, access_token_enc, status, status_reason)
                    VALUES (?, ?, 'google', 'acct-1', 'Acme Ads', 'user', 'x', 'needs_reauth',
                            'token revoked by the user <script>')""", UUID.randomUUID(), UUID.randomUUID());
            h.execute("""
                    INSERT INTO cmis_platform.webhook_events (id, platform, event_key, event_type, payload, status,
                        attempts, last_error, received_at)
                    VALUES (?, 'tiktok', 'k1', 'authorization.removed', '{}', 'dead', 1,
                            'the forward URL answered HTTP 410', ?)""", UUID.randomUUID(), Timestamp.from(now));
            h.execute("""
                    INSERT INTO cmis_platform.circuit_breakers (platform, state, opened_at, wait_seconds, updated_at)
                    VALUES ('tiktok', 'open', ?, 60, ?)""", Timestamp.from(now), Timestamp.from(now));
            for (int i = 0; i < 12; i++) {
                h.execute("""
                        INSERT INTO cmis_platform.platform_api_calls (platform, method, endpoint, status_code, outcome,
                            duration_ms, called_at) VALUES ('meta', 'GET', '/me/accounts', ?, ?, ?, ?)""",
                        i % 4 == 0 ? 500 : 200, i % 4 == 0 ? "transient" : "success", 40 + 10 * i,
                        Timestamp.from(now.minusSeconds(3600L * (i % 6))));
            }
        });
    }

    private void openBreaker(String platform) {
        bed.jdbi.useHandle(h -> h.execute("""
                INSERT INTO cmis_platform.circuit_breakers (platform, state, opened_at, wait_seconds, updated_at)
                VALUES (?, 'open', ?, 60, ?)""", platform, Timestamp.from(bed.clock.instant()),
                Timestamp.from(bed.clock.instant())));
    }
}
