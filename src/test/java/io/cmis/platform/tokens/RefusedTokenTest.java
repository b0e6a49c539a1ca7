package io.cmis.platform.tokens;

import com.fasterxml.jackson.databind.JsonNode;
import io.cmis.platform.cli.Json;
import io.cmis.platform.crypto.Keyring;
import io.cmis.platform.crypto.TokenVault;
import io.cmis.platform.platforms.CallContext;
import io.cmis.platform.sandbox.Fault;
import io.cmis.platform.sandbox.SnapchatSimulator;
import io.cmis.platform.support.CliRun;
import io.cmis.platform.support.OAuthUser;
import io.cmis.platform.support.SandboxCliTest;
import io.cmis.platform.support.TestKeys;
import io.cmis.platform.tenancy.OrgId;
import io.cmis.platform.tenancy.Tenancy;
import org.junit.jupiter.api.Test;

import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A token refused or ending minutes after a refresh: the call paths decide by the token under the
 * integration's lock, not by the sweep's "refreshed recently" rule (Snapchat §4: refresh once, retry
 * once, a second 401 or a refused refresh is a reconnect; LinkedIn §4 the same).
 */
class RefusedTokenTest extends SandboxCliTest {
    private static final String SNAP_TOKEN = "/login/oauth2/access_token";
    private static final String SNAP_ORGS = "/v1/me/organizations";
    private static final String LINKEDIN_TOKEN = "/oauth/v2/accessToken";

    private SnapchatSimulator snapchat() {
        return bed.sandbox.snapchat();
    }

    @Test
    void snapchat_a_401_a_minute_after_a_refresh_is_refreshed_once_retried_once_and_stays_active() throws Exception {
        JsonNode integration = connectSnapchatAndRefreshBySweep();
        bed.clock.advance(Duration.ofMinutes(1));
        snapchat().revokeAccessTokens(); // refused early; the refresh token still works
        int refreshes = snapchat().requests(SNAP_TOKEN);
        int calls = snapchat().requests(SNAP_ORGS);

        JsonNode synced = sync();

        assertThat(synced.get("succeeded").asInt()).as(synced.toString()).isEqualTo(1);
        assertThat(snapchat().requests(SNAP_TOKEN) - refreshes).as("one refresh").isEqualTo(1);
        assertThat(snapchat().requests(SNAP_ORGS) - calls).as("the refused call and one retry").isEqualTo(2);
        assertThat(show(integration).get("status").asText()).isEqualTo("active");
        assertThat(show(integration).get("refresh_count").asInt()).isEqualTo(2);
        assertThat(notifications("needs_reauth")).isEmpty();
    }

    @Test
    void snapchat_a_second_401_after_that_refresh_needs_reauth_with_one_alert() throws Exception {
        JsonNode integration = connectSnapchatAndRefreshBySweep();
        bed.clock.advance(Duration.ofMinutes(1));
        snapchat().failNext(2, SNAP_ORGS, Fault.TOKEN_EXPIRED);
        int refreshes = snapchat().requests(SNAP_TOKEN);

        CliRun.Result refused = cli.run("--json", "sync");

        assertThat(refused.exitCode()).isEqualTo(1);
        assertThat(refused.stdout()).contains("needs_reauth");
        assertThat(snapchat().requests(SNAP_TOKEN) - refreshes).as("the refresh token was tried, once").isEqualTo(1);
        assertThat(show(integration).get("status").asText()).isEqualTo("needs_reauth");
        assertThat(notifications("needs_reauth")).hasSize(1);
    }

    @Test
    void snapchat_a_refresh_refused_with_invalid_grant_after_a_401_needs_reauth_with_one_alert() throws Exception {
        JsonNode integration = connectSnapchatAndRefreshBySweep();
        bed.clock.advance(Duration.ofMinutes(1));
        snapchat().revokeUser(); // access and refresh tokens both dead

        CliRun.Result refused = cli.run("--json", "sync");

        assertThat(refused.exitCode()).isEqualTo(1);
        assertThat(show(integration).get("status").asText()).isEqualTo("needs_reauth");
        assertThat(notifications("needs_reauth")).hasSize(1);
    }

    @Test
    void snapchat_an_expires_in_of_300_is_refreshed_before_use_five_minutes_later() throws Exception {
        JsonNode integration = OAuthUser.connect(cli, org, "snapchat");
        bed.clock.advance(Duration.ofMinutes(25));
        snapchat().accessTokenLifetime(Duration.ofSeconds(300));
        assertThat(sweep().get("items").get(0).get("outcome").asText()).isEqualTo("refreshed");
        assertThat(show(integration).get("token_expires_at").asText())
                .isEqualTo(bed.clock.instant().plusSeconds(300).toString());

        bed.clock.advance(Duration.ofMinutes(5)); // the token ends now; it was refreshed five minutes ago
        int refreshes = snapchat().requests(SNAP_TOKEN);
        int calls = snapchat().requests(SNAP_ORGS);
        JsonNode synced = sync();

        assertThat(synced.get("succeeded").asInt()).as(synced.toString()).isEqualTo(1);
        assertThat(snapchat().requests(SNAP_TOKEN) - refreshes).as("refreshed before use").isEqualTo(1);
        assertThat(snapchat().requests(SNAP_ORGS) - calls).as("never called with the ended token").isEqualTo(1);
        assertThat(show(integration).get("status").asText()).isEqualTo("active");
    }

    @Test
    void snapchat_two_callers_refused_the_same_token_make_one_refresh_and_both_get_the_new_one() throws Exception {
        JsonNode integration = connectSnapchatAndRefreshBySweep();
        AccessTokens tokens = accessTokens();
        OrgId orgId = OrgId.parse(org);
        UUID id = UUID.fromString(integration.get("id").asText());
        bed.clock.advance(Duration.ofMinutes(1));
        CallContext used = tokens.forCall(orgId, id);
        snapchat().revokeAccessTokens();
        snapchat().latency(Duration.ofMillis(300)); // the first refresh holds the lock while the other arrives
        int refreshes = snapchat().requests(SNAP_TOKEN);

        ExecutorService pool = Executors.newFixedThreadPool(2);
        CountDownLatch go = new CountDownLatch(1);
        List<Optional<CallContext>> retried = new ArrayList<>();
        try {
            List<Future<Optional<CallContext>>> callers = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                callers.add(pool.submit(() -> {
                    go.await();
                    return tokens.afterRejection(orgId, id, used);
                }));
            }
            go.countDown();
            for (Future<Optional<CallContext>> c : callers) {
                retried.add(c.get());
            }
        } finally {
            pool.shutdownNow();
        }

        assertThat(snapchat().requests(SNAP_TOKEN) - refreshes).as("one refresh per grant").isEqualTo(1);
        assertThat(retried).allSatisfy(r -> assertThat(r).isPresent());
        assertThat(retried.get(0).orElseThrow().accessToken()).isEqualTo(retried.get(1).orElseThrow().accessToken())
                .isNotEqualTo(used.accessToken());
        assertThat(show(integration).get("status").asText()).isEqualTo("active");
    }

    @Test
    void linkedin_a_401_a_minute_after_a_refresh_is_refreshed_once_retried_once_and_stays_active() throws Exception {
        JsonNode integration = OAuthUser.connect(cli, org, "linkedin");
        bed.clock.advance(Duration.ofDays(59).plusHours(12));
        assertThat(sweep().get("items").get(0).get("outcome").asText()).isEqualTo("refreshed");
        bed.clock.advance(Duration.ofMinutes(1));
        bed.sandbox.linkedin().failNext(1, "/rest/.*", Fault.TOKEN_EXPIRED);
        int refreshes = bed.sandbox.linkedin().requests(LINKEDIN_TOKEN);

        JsonNode synced = sync();

        assertThat(synced.get("succeeded").asInt()).as(synced.toString()).isEqualTo(1);
        assertThat(bed.sandbox.linkedin().requests(LINKEDIN_TOKEN) - refreshes).as("one refresh").isEqualTo(1);
        assertThat(show(integration).get("status").asText()).isEqualTo("active");
        assertThat(notifications("needs_reauth")).isEmpty();
    }

    @Test
    void linkedin_a_second_401_after_that_refresh_needs_reauth() throws Exception {
        JsonNode integration = OAuthUser.connect(cli, org, "linkedin");
        bed.clock.advance(Duration.ofDays(59).plusHours(12));
        assertThat(sweep().get("items").get(0).get("outcome").asText()).isEqualTo("refreshed");
        bed.clock.advance(Duration.ofMinutes(1));
        bed.sandbox.linkedin().failNext(2, "/rest/.*", Fault.TOKEN_EXPIRED);
        int refreshes = bed.sandbox.linkedin().requests(LINKEDIN_TOKEN);

        CliRun.Result refused = cli.run("--json", "sync");

        assertThat(refused.exitCode()).isEqualTo(1);
        assertThat(bed.sandbox.linkedin().requests(LINKEDIN_TOKEN) - refreshes).isEqualTo(1);
        assertThat(show(integration).get("status").asText()).isEqualTo("needs_reauth");
        assertThat(notifications("needs_reauth")).hasSize(1);
    }

    /** Connected, then refreshed by the sweep 25 minutes later: the refresh is the one "a minute ago". */
    private JsonNode connectSnapchatAndRefreshBySweep() throws Exception {
        JsonNode integration = OAuthUser.connect(cli, org, "snapchat");
        bed.clock.advance(Duration.ofMinutes(25));
        assertThat(sweep().get("items").get(0).get("outcome").asText()).isEqualTo("refreshed");
        return integration;
    }

    private AccessTokens accessTokens() {
        Tenancy tenancy = new Tenancy(bed.jdbi);
        TokenVault vault = new TokenVault(Keyring.parse(TestKeys.K1), new SecureRandom());
        TokenSettings settings = TokenSettings.from(bed.config);
        return new AccessTokens(tenancy, vault, bed.registry(),
                new TokenRefresher(tenancy, vault, bed.registry(), settings, bed.clock), settings, bed.clock);
    }

    private JsonNode sync() throws Exception {
        return Json.MAPPER.readTree(cli.run("--json", "sync").stdout());
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
