package io.cmis.platform.health;

import com.fasterxml.jackson.databind.JsonNode;
import io.cmis.platform.cli.Json;
import io.cmis.platform.support.CliRun;
import io.cmis.platform.support.SandboxCliTest;
import io.cmis.platform.support.TestKeys;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/** health through the real command line: each threshold, the JSON shape, Prometheus text, alerts, unknown. */
class HealthCommandTest extends SandboxCliTest {

    @Test
    void an_idle_system_is_healthy_and_the_json_has_the_contract_shape() throws Exception {
        CliRun.Result run = cli.run("--json", "health");
        assertThat(run.exitCode()).as(run.all()).isZero();
        JsonNode h = Json.MAPPER.readTree(run.stdout());
        assertThat(h.get("status").asText()).isEqualTo("healthy");
        assertThat(Instant.parse(h.get("timestamp").asText())).isEqualTo(bed.clock.instant());
        JsonNode c = h.get("components");
        for (String f : List.of("total", "active", "expiring_soon", "health")) {
            assertThat(c.at("/integrations/" + f).isMissingNode()).as("integrations." + f).isFalse();
        }
        for (String f : List.of("pending_retries", "dead_letter_queue", "success_rate", "health")) {
            assertThat(c.at("/webhooks/" + f).isMissingNode()).as("webhooks." + f).isFalse();
        }
        for (String platform : List.of("meta", "google", "tiktok", "linkedin")) {
            for (String f : List.of("total", "success_rate", "avg_duration_ms", "health")) {
                assertThat(c.at("/api_calls/" + platform + "/" + f).isMissingNode()).isFalse();
            }
            assertThat(c.at("/circuit_breakers/" + platform + "/state").asText()).isEqualTo("closed");
            assertThat(c.at("/rate_limits/" + platform + "/health").asText()).isEqualTo("healthy");
        }
        assertThat(cli.run("health").stdout()).startsWith("health: HEALTHY");
    }

    @Test
    void a_meta_grant_ending_within_seven_days_is_a_warning() throws Exception {
        insertIntegration("meta", false, bed.clock.instant().plus(Duration.ofDays(3)));
        insertIntegration("google", true, bed.clock.instant().plusSeconds(600)); // renewed hourly: fine
        JsonNode h = health(1);
        assertThat(h.at("/components/integrations/expiring_soon").asInt()).isEqualTo(1);
        assertThat(h.at("/components/integrations/health").asText()).isEqualTo("warning");
    }

    @Test
    void tokens_status_and_health_agree_on_a_refresh_token_that_ends_within_the_window_and_on_one_that_does_not()
            throws Exception {
        Instant now = bed.clock.instant();
        UUID ending = insertIntegration("linkedin", now.plus(Duration.ofDays(5)), now.plus(Duration.ofDays(5)));
        UUID renewed = insertIntegration("linkedin", now.plus(Duration.ofDays(50)), now.plus(Duration.ofDays(300)));

        JsonNode status = Json.MAPPER.readTree(cli.run("--json", "tokens", "status").ok().stdout());
        JsonNode h = health(1);

        assertThat(row(status, ending).get("expiring").asBoolean()).isTrue();
        assertThat(Instant.parse(row(status, ending).get("refresh_token_expires_at").asText()))
                .isEqualTo(now.plus(Duration.ofDays(5)));
        assertThat(row(status, renewed).get("expiring").asBoolean()).isFalse();
        assertThat(Instant.parse(row(status, renewed).get("refresh_token_expires_at").asText()))
                .isEqualTo(now.plus(Duration.ofDays(300)));
        assertThat(h.at("/components/integrations/expiring_soon").asInt()).as("the same one grant").isEqualTo(1);
        assertThat(h.at("/components/integrations/health").asText()).isEqualTo("warning");

        bed.jdbi.useHandle(x -> x.execute("DELETE FROM cmis_platform.integrations WHERE id = ?", ending));
        status = Json.MAPPER.readTree(cli.run("--json", "tokens", "status").ok().stdout());
        assertThat(status.findValuesAsText("expiring")).containsExactly("false");
        h = Json.MAPPER.readTree(cli.run("--json", "health").stdout()); // the placeholder ciphertexts: secrets warn
        assertThat(h.at("/components/integrations/expiring_soon").asInt()).isZero();
        assertThat(h.at("/components/integrations/health").asText()).isEqualTo("healthy");
    }

    private static JsonNode row(JsonNode status, UUID id) {
        for (JsonNode row : status) {
            if (row.get("id").asText().equals(id.toString())) {
                return row;
            }
        }
        throw new AssertionError("no row " + id + " in " + status);
    }

    /** A refreshable grant whose refresh token has a fixed end (LinkedIn's year). */
    private UUID insertIntegration(String platform, Instant expires, Instant refreshEnds) {
        UUID id = UUID.randomUUID();
        bed.jdbi.useHandle(h -> h.execute("""
                INSERT INTO cmis_platform.integrations (id, org_id, platform, external_account_id, token_kind,
                    access_token_enc, refresh_token_enc, token_expires_at, refresh_token_expires_at)
                VALUES (?, ?, ?, ?, 'member', 'x', 'y', ?, ?)""", id, UUID.randomUUID(), platform,
                "acct-" + UUID.randomUUID(), Timestamp.from(expires), Timestamp.from(refreshEnds)));
        return id;
    }

    @Test
    void more_than_ten_failed_calls_in_a_day_is_a_warning() throws Exception {
        for (int i = 0; i < 11; i++) {
            bed.jdbi.useHandle(h -> h.execute("""
                    INSERT INTO cmis_platform.platform_api_calls (platform, method, endpoint, status_code, outcome,
                        duration_ms, called_at) VALUES ('google', 'GET', '/x', 500, 'transient', 40, ?)
                    """, Timestamp.from(bed.clock.instant().minusSeconds(60))));
        }
        JsonNode h = health(1);
        assertThat(h.at("/components/api_calls/google/failed").asInt()).isEqualTo(11);
        assertThat(h.at("/components/api_calls/google/success_rate").asDouble()).isZero();
        assertThat(h.at("/components/api_calls/google/health").asText()).isEqualTo("warning");
        assertThat(h.at("/components/api_calls/meta/health").asText()).isEqualTo("healthy");
    }

    @Test
    void retries_that_mostly_die_and_events_waiting_over_five_minutes_are_critical() throws Exception {
        insertEvent("dead", 4, bed.clock.instant().minusSeconds(300));
        JsonNode dying = health(2);
        assertThat(dying.at("/components/webhooks/retry_success_rate").asDouble()).isZero();
        assertThat(dying.at("/components/webhooks/dead_letter_queue").asInt()).isEqualTo(1);

        bed.jdbi.useHandle(h -> h.execute("DELETE FROM cmis_platform.webhook_events"));
        insertEvent("queued", 0, bed.clock.instant().minus(Duration.ofMinutes(4)));
        assertThat(health(0).at("/components/webhooks/oldest_queued_age_seconds").asInt()).isEqualTo(240);
        bed.clock.advance(Duration.ofMinutes(2));
        assertThat(health(2).at("/components/webhooks/health").asText()).isEqualTo("critical");
    }

    @Test
    void an_open_breaker_is_critical_and_a_rate_limit_a_warning() throws Exception {
        bed.jdbi.useHandle(h -> h.execute("""
                INSERT INTO cmis_platform.rate_limits (platform, scope, usage_pct, limited_until)
                VALUES ('tiktok', 'app', 100, ?)""", Timestamp.from(bed.clock.instant().plusSeconds(300))));
        assertThat(health(1).at("/components/rate_limits/tiktok/limited_scopes").asInt()).isEqualTo(1);
        bed.jdbi.useHandle(h -> h.execute("""
                INSERT INTO cmis_platform.circuit_breakers (platform, state, opened_at, wait_seconds, updated_at)
                VALUES ('meta', 'open', ?, 60, ?)""", Timestamp.from(bed.clock.instant()),
                Timestamp.from(bed.clock.instant())));
        JsonNode h = health(2);
        assertThat(h.at("/components/circuit_breakers/meta/state").asText()).isEqualTo("open");
        assertThat(h.at("/components/circuit_breakers/meta/health").asText()).isEqualTo("critical");
        assertThat(h.at("/components/circuit_breakers/meta/open_until").asText())
                .isEqualTo(bed.clock.instant().plusSeconds(60).toString());
    }

    @Test
    void the_prometheus_textfile_parses_and_is_replaced_whole() throws Exception {
        Path dir = Files.createTempDirectory("textfile");
        Path file = dir.resolve("cmis.prom");
        Files.writeString(file, "old content\n");
        bed.jdbi.useHandle(h -> h.execute("""
                INSERT INTO cmis_platform.circuit_breakers (platform, state, opened_at, wait_seconds, updated_at)
                VALUES ('google', 'open', now(), 60, now())"""));
        assertThat(cli.run("health", "--prometheus", file.toString()).exitCode()).isEqualTo(2);

        List<String> lines = Files.readAllLines(file);
        assertThat(lines).contains("# TYPE cmis_health_status gauge")
                .contains("cmis_health_status{component=\"overall\"} 2.0")
                .contains("cmis_circuit_breaker_state{platform=\"google\",state=\"open\"} 1.0")
                .contains("cmis_webhook_events{status=\"dead\"} 0.0");
        for (String line : lines) {
            assertThat(line).as("every line is a comment or `name{labels} value`")
                    .matches("# (HELP|TYPE) .*|[a-z_][a-z0-9_]*(\\{[a-z_]+=\"[^\"]*\"(,[a-z_]+=\"[^\"]*\")*})? -?[0-9.E+-]+");
        }
        try (var left = Files.list(dir)) {
            assertThat(left).as("no temporary file left behind").containsExactly(file);
        }
    }

    @Test
    void the_prometheus_textfile_is_readable_by_node_exporter_and_holds_no_secret() throws Exception {
        String access = "EAAGm0PX4ZCpsBAO9ZB0ZCZAy7Ld4HZBZC0ZA8ZBkZCr1Zsecret";
        cli.run("integrations", "add", "meta", "--org", org, "--access-token", access, "--external-id", "1021").ok();
        Path file = Files.createTempDirectory("textfile").resolve("cmis.prom");

        cli.run("health", "--prometheus", file.toString());
        Path down = file.resolveSibling("down.prom");
        CliRun.withoutDatabase().env("CMIS_DATABASE_URL", "jdbc:postgresql://127.0.0.1:1/cmis?password=Pg-Secret-9")
                .env("CMIS_ENCRYPTION_KEYS", TestKeys.K1).run("health", "--prometheus", down.toString());

        for (Path written : List.of(file, down)) {
            assertThat(java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(written)))
                    .as("node_exporter runs as another user").isEqualTo("rw-r--r--");
            String text = Files.readString(written);
            assertThat(text).doesNotContain(access).doesNotContain("Pg-Secret-9").doesNotContain(TestKeys.K1);
            assertThat(text.lines().filter(l -> !l.startsWith("#")).flatMap(l -> java.util.regex.Pattern
                    .compile("([a-z_]+)=\"").matcher(l).results().map(m -> m.group(1))).distinct())
                    .as("labels are fixed names, platforms, secret columns (names, not values) and the build")
                    .isSubsetOf("component", "status", "platform", "state", "column", "version", "commit", "build_time");
        }
    }

    @Test
    void alert_fires_once_per_change_on_recovery_and_reminds_while_critical() throws Exception {
        assertThat(cli.run("health", "--alert").exitCode()).isZero();
        assertThat(alerts()).as("healthy from the start: nothing to say").isEmpty();

        bed.jdbi.useHandle(h -> h.execute("""
                INSERT INTO cmis_platform.circuit_breakers (platform, state, opened_at, wait_seconds, updated_at)
                VALUES ('meta', 'open', now(), 60, now())"""));
        assertThat(cli.run("health", "--alert").exitCode()).isEqualTo(2);
        assertThat(cli.run("health", "--alert").exitCode()).isEqualTo(2);
        assertThat(alerts()).hasSize(1);
        assertThat(alerts().get(0)).contains("critical (was healthy)").contains("circuit_breakers.meta critical");

        bed.clock.advance(Duration.ofMinutes(61));
        cli.run("health", "--alert");
        assertThat(alerts()).hasSize(2);
        assertThat(alerts().get(1)).contains("still critical");

        bed.clock.advance(Duration.ofMinutes(1)); // alerts are ordered by when they were raised
        bed.jdbi.useHandle(h -> h.execute("UPDATE cmis_platform.circuit_breakers SET state = 'closed'"));
        assertThat(cli.run("health", "--alert").exitCode()).isZero();
        cli.run("health", "--alert");
        assertThat(alerts()).hasSize(3);
        assertThat(alerts().get(2)).contains("recovered");

        com.fasterxml.jackson.databind.JsonNode listed = Json.MAPPER.readTree(cli.run("--json", "alerts", "list")
                .ok().stdout());
        assertThat(listed).hasSize(3);
        assertThat(listed.get(0).get("kind").asText()).isEqualTo("health");
        assertThat(listed.get(0).get("message").asText()).contains("recovered");
        assertThat(listed.get(0).get("status").asText()).isEqualTo("pending");
        assertThat(cli.run("alerts", "list", "--status", "lost").exitCode()).isEqualTo(2);
    }

    @Test
    void secrets_not_under_the_active_key_are_a_warning_with_the_fix_until_rotate_key_has_run() throws Exception {
        cli.run("integrations", "add", "google", "--org", org, "--access-token", "ya29.health-secret-token",
                "--refresh-token", "1//0health-refresh-token", "--external-id", "acct-1").ok();
        assertThat(health(0).at("/components/secrets/not_under_active_key").asInt()).isZero();

        cli.env("CMIS_ENCRYPTION_KEYS", TestKeys.K2 + "," + TestKeys.K1); // a new key put in front
        JsonNode before = health(1).at("/components/secrets");
        assertThat(before.get("not_under_active_key").asInt()).isEqualTo(2);
        assertThat(before.get("active_key").asText()).isEqualTo("k2");
        assertThat(before.get("health").asText()).isEqualTo("warning");
        assertThat(before.get("fix").asText()).contains("tokens rotate-key").contains("encryption.keys");
        assertThat(before.get("stale")).extracting(s -> s.get("column").asText() + " " + s.get("key_id").asText()
                + " " + s.get("count").asInt()).containsExactly("access_token_enc k1 1", "refresh_token_enc k1 1");
        Path dir = Files.createTempDirectory("textfile");
        cli.run("health", "--prometheus", dir.resolve("cmis.prom").toString());
        assertThat(Files.readAllLines(dir.resolve("cmis.prom")))
                .contains("cmis_secrets_not_under_active_key{column=\"integrations.access_token_enc\"} 1.0")
                .contains("cmis_secrets_not_under_active_key{column=\"channels.access_token_enc\"} 0.0");
        assertThat(cli.run("health").all()).doesNotContain("health-secret-token").doesNotContain("health-refresh");

        cli.run("tokens", "rotate-key").ok();

        JsonNode after = health(0).at("/components/secrets");
        assertThat(after.get("not_under_active_key").asInt()).isZero();
        assertThat(after.get("health").asText()).isEqualTo("healthy");
        assertThat(after.has("fix")).isFalse();
    }

    @Test
    void an_unreachable_database_is_unknown_exit_3() throws Exception {
        CliRun down = CliRun.withoutDatabase().env("CMIS_DATABASE_URL", "jdbc:postgresql://127.0.0.1:1/cmis")
                .env("CMIS_ENCRYPTION_KEYS", TestKeys.K1);
        CliRun.Result run = down.run("--json", "health");
        assertThat(run.exitCode()).as(run.all()).isEqualTo(3);
        assertThat(Json.MAPPER.readTree(run.stdout()).get("status").asText()).isEqualTo("unknown");
        assertThat(run.all()).doesNotContain("\tat ");
    }

    @Test
    void a_renewable_token_that_lapsed_is_a_refresh_overdue_a_sweep_that_did_not_run() throws Exception {
        insertIntegration("google", true, bed.clock.instant().minusSeconds(60)); // the sweep may still be on its way
        JsonNode h = Json.MAPPER.readTree(cli.run("--json", "health").stdout()); // the test rows' secrets: warning
        assertThat(h.at("/components/integrations/refresh_overdue").asInt()).isZero();
        assertThat(h.at("/components/integrations/health").asText()).isEqualTo("healthy");

        insertIntegration("google", true, bed.clock.instant().minus(Duration.ofMinutes(3)));
        h = Json.MAPPER.readTree(cli.run("--json", "health").stdout());
        assertThat(h.at("/components/integrations/refresh_overdue").asInt()).isEqualTo(1);
        assertThat(h.at("/components/integrations/health").asText()).isEqualTo("warning");

        insertIntegration("meta", false, bed.clock.instant().minusSeconds(600)); // nothing renews it: not the sweep's
        h = Json.MAPPER.readTree(cli.run("--json", "health").stdout());
        assertThat(h.at("/components/integrations/refresh_overdue").asInt()).isEqualTo(1);
        assertThat(h.at("/components/integrations/expiring_soon").asInt()).isEqualTo(1);
        Path file = Files.createTempDirectory("textfile").resolve("cmis.prom");
        cli.run("health", "--prometheus", file.toString());
        assertThat(Files.readString(file)).contains("cmis_integrations{status=\"refresh_overdue\"} 1.0");
    }

    @Test
    void the_textfile_says_when_a_sync_last_started_and_how_many_call_log_partitions_lie_ahead() throws Exception {
        Path file = Files.createTempDirectory("textfile").resolve("cmis.prom");
        cli.run("health", "--prometheus", file.toString());
        assertThat(value(Files.readString(file), "cmis_sync_last_run_timestamp_seconds"))
                .as("no sync yet: 0, which the alert leaves alone").isEqualTo(0.0);

        io.cmis.platform.support.OAuthUser.connect(cli, org, "meta");
        Instant before = bed.clock.instant();
        cli.run("sync").ok();
        Instant after = bed.clock.instant();
        cli.run("db", "prune").ok(); // today and the next 14 UTC days
        java.time.LocalDate today = java.time.LocalDate.ofInstant(after, java.time.ZoneOffset.UTC);
        bed.jdbi.useHandle(h -> h.createQuery("SELECT cmis_platform.drop_api_call_partition(:day)")
                .bind("day", today.plusDays(4)).mapTo(Long.class).one());
        cli.run("health", "--prometheus", file.toString());

        String text = Files.readString(file);
        assertThat(value(text, "cmis_sync_last_run_timestamp_seconds"))
                .isBetween((double) before.getEpochSecond(), (double) after.getEpochSecond());
        assertThat(value(text, "cmis_api_call_log_partitions_ahead")).as("days 1 to 3 after today, then a gap")
                .isEqualTo(3.0);
        assertThat(health(0).at("/components/scheduled_jobs/call_log_partitions_ahead_days").asInt()).isEqualTo(3);

        bed.clock.advance(Duration.ofDays(3)); // prune stopped: the day of the gap is now tomorrow
        cli.run("health", "--prometheus", file.toString());
        assertThat(value(Files.readString(file), "cmis_api_call_log_partitions_ahead")).isEqualTo(0.0);
    }

    /** The value of an unlabelled sample in a Prometheus text exposition, or null when there is none. */
    private static Double value(String exposition, String name) {
        for (String line : exposition.split("\n")) {
            if (line.startsWith(name + " ")) {
                return Double.parseDouble(line.substring(name.length() + 1).trim());
            }
        }
        return null;
    }

    private JsonNode health(int expectedExit) throws Exception {
        CliRun.Result run = cli.run("--json", "health");
        assertThat(run.exitCode()).as(run.stdout()).isEqualTo(expectedExit);
        return Json.MAPPER.readTree(run.stdout());
    }

    private void insertIntegration(String platform, boolean refreshable, Instant expires) {
        bed.jdbi.useHandle(h -> h.execute("""
                INSERT INTO cmis_platform.integrations (id, org_id, platform, external_account_id, token_kind,
                    access_token_enc, refresh_token_enc, token_expires_at)
                VALUES (?, ?, ?, ?, 'user', 'x', ?, ?)""", UUID.randomUUID(), UUID.randomUUID(), platform,
                "acct-" + UUID.randomUUID(), refreshable ? "y" : null, Timestamp.from(expires)));
    }

    private void insertEvent(String status, int attempts, Instant received) {
        bed.jdbi.useHandle(h -> h.execute("""
                INSERT INTO cmis_platform.webhook_events (id, platform, event_key, payload, status, attempts,
                    received_at, next_attempt_at)
                VALUES (?, 'meta', ?, '{}', ?, ?, ?, ?)""", UUID.randomUUID(), UUID.randomUUID().toString(), status,
                attempts, Timestamp.from(received), Timestamp.from(received)));
    }

    private List<String> alerts() {
        return bed.jdbi.withHandle(h -> h.createQuery(
                "SELECT message FROM cmis_platform.notifications WHERE kind = 'health' ORDER BY created_at")
                .mapTo(String.class).list());
    }
}
