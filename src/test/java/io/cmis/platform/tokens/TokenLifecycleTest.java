package io.cmis.platform.tokens;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import io.cmis.platform.cli.Json;
import io.cmis.platform.sandbox.Fault;
import io.cmis.platform.support.CliRun;
import io.cmis.platform.support.OAuthUser;
import io.cmis.platform.support.SandboxCliTest;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;

/** tokens refresh and tokens status against the sandbox, with the clock moved by hand. */
class TokenLifecycleTest extends SandboxCliTest {

    @Test
    void google_tokens_are_refreshed_with_the_refresh_token_once_per_sweep() throws Exception {
        JsonNode integration = OAuthUser.connect(cli, org, "google");
        bed.clock.advance(Duration.ofMinutes(50));

        JsonNode sweep = sweep();

        assertThat(sweep.get("succeeded").asInt()).isEqualTo(1);
        assertThat(sweep.get("items").get(0).get("outcome").asText()).isEqualTo("refreshed");
        JsonNode after = show(integration);
        assertThat(after.get("refresh_count").asInt()).isEqualTo(1);
        assertThat(after.get("last_refreshed_at").asText()).isEqualTo(bed.clock.instant().toString());
        assertThat(after.get("token_expires_at").asText()).isEqualTo(bed.clock.instant().plusSeconds(3599).toString());
        assertThat(after.get("has_refresh_token").asBoolean()).isTrue();
    }

    @Test
    void a_sweep_has_more_refreshes_in_hand_than_calls_in_flight_and_never_more_calls_than_its_concurrency()
            throws Exception {
        List<JsonNode> integrations = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            integrations.add(OAuthUser.connect(cli, UUID.randomUUID().toString(), "google"));
        }
        bed.clock.advance(Duration.ofMinutes(50));
        bed.sandbox.google().latency(Duration.ofMillis(300));
        // tokens.concurrency 2 and a pool of 10: three refreshes in hand, two calls in flight at most.
        JsonNode sweep = Json.MAPPER.readTree(cli.env("CMIS_TOKENS_CONCURRENCY", "2").env("CMIS_DATABASE_POOL_SIZE", "10")
                .run("--json", "tokens", "refresh").stdout());

        assertThat(sweep.get("succeeded").asInt()).isEqualTo(6);
        assertThat(bed.sandbox.google().requests("/token")).as("one refresh each").isEqualTo(6 + 6);
        assertThat(bed.sandbox.google().mostInFlight()).as("refresh calls at once").isEqualTo(2);
        for (JsonNode integration : integrations) {
            assertThat(show(integration).get("refresh_count").asInt()).isEqualTo(1);
        }
    }

    @Test
    void tiktok_account_holder_refresh_tokens_rotate_and_the_tool_keeps_working() throws Exception {
        JsonNode integration = OAuthUser.connect(cli, org, "tiktok", "--kind", "tt_user");
        for (int round = 0; round < 3; round++) {
            bed.clock.advance(Duration.ofMinutes(115));
            JsonNode sweep = sweep();
            assertThat(sweep.get("items").get(0).get("outcome").asText()).as("round " + round).isEqualTo("refreshed");
        }
        assertThat(show(integration).get("refresh_count").asInt()).isEqualTo(3);
        assertThat(show(integration).get("status").asText()).isEqualTo("active");
        assertThat(bed.sandbox.tiktok().requests("/open_api/v1\\.3/tt_user/oauth2/refresh_token/")).isEqualTo(3);
    }

    @Test
    void tiktok_advertiser_tokens_never_come_due() throws Exception {
        OAuthUser.connect(cli, org, "tiktok");
        bed.clock.advance(Duration.ofDays(400));
        assertThat(sweep().get("items")).isEmpty();
    }

    @Test
    void meta_warns_seven_days_and_one_day_before_expiry_once_each_and_re_exchanges_when_it_extends() throws Exception {
        JsonNode integration = OAuthUser.connect(cli, org, "meta");
        bed.clock.advance(Duration.ofDays(54));

        assertThat(sweep().get("items").get(0).get("outcome").asText()).isEqualTo("warned");
        assertThat(sweep().get("items").get(0).get("outcome").asText()).as("no second 7-day warning").isEqualTo("skipped");
        assertThat(notifications("token_expiring")).hasSize(1);

        bed.clock.advance(Duration.ofDays(5).plusHours(12));
        JsonNode last = sweep();
        assertThat(last.get("items").get(0).get("outcome").asText()).isEqualTo("refreshed");
        assertThat(notifications("token_expiring")).as("the 1-day warning, once").hasSize(2);
        assertThat(show(integration).get("token_expires_at").asText())
                .isEqualTo(bed.clock.instant().plus(Duration.ofDays(60)).toString());
    }

    @Test
    void a_revoked_grant_needs_reauth_alerts_once_and_the_others_carry_on() throws Exception {
        List<String> received = new CopyOnWriteArrayList<>();
        HttpServer receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        receiver.createContext("/alerts", exchange -> {
            received.add(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        receiver.start();
        try {
            cli.env("CMIS_ALERTS_WEBHOOK_URL", "http://127.0.0.1:" + receiver.getAddress().getPort() + "/alerts");
            JsonNode first = OAuthUser.connect(cli, org, "google");
            JsonNode second = OAuthUser.connect(cli, UUID.randomUUID().toString(), "google");
            bed.clock.advance(Duration.ofMinutes(55));
            bed.sandbox.google().failNext(1, "/token", Fault.REVOKED);

            CliRun.Result result = cli.run("--json", "tokens", "refresh");

            assertThat(result.exitCode()).as(result.toString()).isEqualTo(1);
            JsonNode sweep = Json.MAPPER.readTree(result.stdout());
            assertThat(sweep.get("failed").asInt()).isEqualTo(1);
            assertThat(sweep.get("succeeded").asInt()).isEqualTo(1);
            List<String> statuses = List.of(show(first).get("status").asText(), show(second).get("status").asText());
            assertThat(statuses).containsExactlyInAnyOrder("needs_reauth", "active");
            assertThat(received).singleElement().asString().contains("\"text\"").contains("needs to be reconnected")
                    .doesNotContain("ya29.").doesNotContain("1//");

            cli.run("tokens", "status").ok();
            cli.run("tokens", "refresh").ok();
            assertThat(received).as("delivered once").hasSize(1);
        } finally {
            receiver.stop(0);
        }
    }

    @Test
    void two_sweeps_at_once_refresh_each_grant_exactly_once() throws Exception {
        for (int i = 0; i < 20; i++) {
            String[] tokens = bed.sandbox.google().issueTokens();
            cli.run("integrations", "add", "google", "--org", org, "--access-token", tokens[0], "--refresh-token",
                    tokens[1], "--expires-in", "600", "--external-id", "acct-" + i).ok();
        }
        int before = bed.sandbox.google().requests("/token");
        ExecutorService pool = Executors.newFixedThreadPool(2);
        CountDownLatch go = new CountDownLatch(1);
        try {
            List<Future<JsonNode>> sweeps = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                sweeps.add(pool.submit(() -> {
                    go.await();
                    return Json.MAPPER.readTree(cli.run("--json", "tokens", "refresh").stdout());
                }));
            }
            go.countDown();
            int refreshed = 0;
            for (Future<JsonNode> s : sweeps) {
                refreshed += s.get().get("succeeded").asInt();
            }
            assertThat(refreshed).isEqualTo(20);
        } finally {
            pool.shutdownNow();
        }
        assertThat(bed.sandbox.google().requests("/token") - before).as("one platform call per grant").isEqualTo(20);
    }

    @Test
    void a_dry_run_lists_and_touches_nothing() throws Exception {
        JsonNode integration = OAuthUser.connect(cli, org, "google");
        bed.clock.advance(Duration.ofMinutes(50));
        int before = bed.sandbox.google().requests();

        JsonNode dry = Json.MAPPER.readTree(cli.run("--json", "tokens", "refresh", "--dry-run").ok().stdout());

        assertThat(dry.get("items").get(0).get("outcome").asText()).isEqualTo("would_refresh");
        assertThat(bed.sandbox.google().requests()).isEqualTo(before);
        assertThat(show(integration).get("refresh_count").asInt()).isZero();
    }

    @Test
    void status_shows_expiry_and_how_each_token_is_kept_alive() throws Exception {
        OAuthUser.connect(cli, org, "google");
        OAuthUser.connect(cli, org, "tiktok");

        JsonNode status = Json.MAPPER.readTree(cli.run("--json", "tokens", "status").ok().stdout());

        assertThat(status).hasSize(2);
        assertThat(status.findValuesAsText("refresh")).containsExactlyInAnyOrder("refresh_token", "never_expires");
        assertThat(cli.run("tokens", "status").ok().stdout()).contains("EXPIRES IN").contains("never");
    }

    @Test
    void a_call_gets_a_token_refreshed_first_only_when_it_expires_within_ten_minutes() throws Exception {
        JsonNode integration = OAuthUser.connect(cli, org, "google");
        io.cmis.platform.tenancy.Tenancy tenancy = new io.cmis.platform.tenancy.Tenancy(bed.jdbi);
        io.cmis.platform.crypto.TokenVault vault = new io.cmis.platform.crypto.TokenVault(
                io.cmis.platform.crypto.Keyring.parse(io.cmis.platform.support.TestKeys.K1), new java.security.SecureRandom());
        TokenSettings settings = TokenSettings.from(bed.config);
        AccessTokens tokens = new AccessTokens(tenancy, vault, bed.registry(),
                new TokenRefresher(tenancy, vault, bed.registry(), settings, bed.clock), settings, bed.clock);
        io.cmis.platform.tenancy.OrgId orgId = io.cmis.platform.tenancy.OrgId.parse(org);
        UUID id = UUID.fromString(integration.get("id").asText());

        bed.clock.advance(Duration.ofMinutes(20));
        String early = tokens.forCall(orgId, id).accessToken().reveal();
        assertThat(show(integration).get("refresh_count").asInt()).as("50 minutes left: no refresh").isZero();

        bed.clock.advance(Duration.ofMinutes(35));
        String late = tokens.forCall(orgId, id).accessToken().reveal();
        assertThat(show(integration).get("refresh_count").asInt()).isEqualTo(1);
        assertThat(late).isNotEqualTo(early).startsWith("ya29.");
        assertThat(bed.registry().get("google").channels(tokens.forCall(orgId, id))).hasSize(1);
    }

    @Test
    void a_bad_window_or_a_pool_too_small_for_the_concurrency_is_a_usage_error() {
        CliRun.Result result = cli.run("tokens", "refresh", "--within", "soon");
        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.stderr()).contains("--within");
        CliRun.Result small = cli.env("CMIS_DATABASE_POOL_SIZE", "4").run("tokens", "refresh");
        assertThat(small.exitCode()).isEqualTo(2);
        assertThat(small.stderr()).contains("database.pool-size of at least 10");
    }

    private JsonNode sweep() throws Exception {
        return Json.MAPPER.readTree(cli.run("--json", "tokens", "refresh").stdout());
    }

    private JsonNode show(JsonNode integration) throws Exception {
        return Json.MAPPER.readTree(cli.run("--json", "integrations", "show", integration.get("id").asText()).ok().stdout());
    }

    private List<String> notifications(String kind) {
        return bed.jdbi.withHandle(h -> h.createQuery("SELECT dedupe_key FROM cmis_platform.notifications WHERE kind = :k")
                .bind("k", kind).mapTo(String.class).list());
    }
}
