package io.cmis.platform.webhooks;

import io.cmis.platform.sandbox.GoogleSimulator;
import io.cmis.platform.sandbox.MetaSimulator;
import io.cmis.platform.sandbox.TikTokSimulator;
import io.cmis.platform.sandbox.WebhookEmitter;
import io.cmis.platform.support.OAuthUser;
import io.cmis.platform.support.SandboxCliTest;
import io.cmis.platform.support.WebhookServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Who may revoke an integration: only an event type its own platform declares a revocation, and
 * never one that happened before the integration's latest connect (a replay, a late retry).
 */
class RevocationTrustTest extends SandboxCliTest {
    private WebhookServer server;

    @BeforeEach
    void startServer() {
        server = new WebhookServer(bed);
    }

    @AfterEach
    void stopServer() {
        server.close();
    }

    @Test
    void a_google_push_typed_as_any_platforms_revocation_revokes_nothing() throws Exception {
        String integration = connect("google");
        String customer = externalId(integration);
        int n = 0;
        for (String type : List.of("authorization.removed", "meta.deauthorize", "user_event.revoke")) {
            // Whoever may publish to the topic sets the attributes; the push itself is genuine.
            String body = "{\"message\":{\"attributes\":{\"eventType\":\"" + type + "\",\"customerId\":\"" + customer
                    + "\"},\"messageId\":\"typed-" + n++ + "\",\"publishTime\":\"" + bed.clock.instant() + "\"},"
                    + "\"subscription\":\"projects/sandbox/subscriptions/cmis\"}";
            String token = bed.sandbox.google().pushToken(GoogleSimulator.PUSH_AUDIENCE, Duration.ofMinutes(30),
                    bed.clock.instant());
            post("google", new WebhookEmitter.Delivery(Map.of("authorization", "Bearer " + token,
                    "content-type", "application/json"), body));
        }
        List<EventOutcome> outcomes = server.processAll();
        assertThat(outcomes).hasSize(3).allSatisfy(o -> assertThat(o.detail()).isEqualTo("stored"));
        assertThat(status(integration)).isEqualTo("active");
    }

    @Test
    void a_tiktok_event_typed_as_metas_deauthorization_revokes_nothing() throws Exception {
        String integration = connect("tiktok", "--kind", "tt_user");
        String typed = WebhookProcessingTest.removed(TikTokSimulator.OPEN_ID, now())
                .replace("authorization.removed", "meta.deauthorize");
        post("tiktok", WebhookEmitter.tiktok(typed, now()));
        assertThat(server.processAll()).singleElement().extracting(EventOutcome::detail).isEqualTo("stored");
        assertThat(status(integration)).isEqualTo("active");
    }

    @Test
    void a_tiktok_removal_created_before_the_latest_connect_is_ignored_and_a_fresh_one_revokes() throws Exception {
        String integration = connect("tiktok", "--kind", "tt_user");
        // TikTok retries for 72 hours, signing each retry anew: an hour-old removal arrives after a reconnect.
        long anHourBefore = bed.clock.instant().minus(Duration.ofHours(1)).getEpochSecond();
        post("tiktok", WebhookEmitter.tiktok(WebhookProcessingTest.removed(TikTokSimulator.OPEN_ID, anHourBefore), now()));
        EventOutcome old = server.processAll().get(0);
        assertThat(old.outcome()).isEqualTo("processed");
        assertThat(old.detail()).startsWith("not revoked: the revocation happened at " + Instant.ofEpochSecond(anHourBefore))
                .contains("signed by tiktok").contains("before the latest connect of integration " + integration);
        assertThat(status(integration)).isEqualTo("active");

        bed.clock.advance(Duration.ofSeconds(5));
        post("tiktok", WebhookEmitter.tiktok(WebhookProcessingTest.removed(TikTokSimulator.OPEN_ID, now()), now()));
        assertThat(server.processAll().get(0).detail()).isEqualTo("revoked integration " + integration);
        assertThat(status(integration)).isEqualTo("revoked");
    }

    @Test
    void a_meta_deauthorization_issued_before_the_latest_connect_is_ignored_and_a_fresh_one_revokes() throws Exception {
        String integration = connect("meta");
        long twoHoursBefore = bed.clock.instant().minus(Duration.ofHours(2)).getEpochSecond();
        post("meta", WebhookEmitter.metaDeauthorize(MetaSimulator.USER_ID, twoHoursBefore));
        assertThat(server.processAll().get(0).detail()).startsWith("not revoked").contains("signed by meta");
        assertThat(status(integration)).isEqualTo("active");

        bed.clock.advance(Duration.ofMinutes(1));
        post("meta", WebhookEmitter.metaDeauthorize(MetaSimulator.USER_ID, now()));
        assertThat(server.processAll().get(0).detail()).isEqualTo("revoked integration " + integration);
        assertThat(status(integration)).isEqualTo("revoked");
    }

    @Test
    void a_meta_deauthorization_issued_more_than_a_day_ago_is_refused_with_nothing_stored() throws Exception {
        connect("meta");
        long old = bed.clock.instant().minus(Duration.ofHours(25)).getEpochSecond();
        HttpResponse<String> replayed = server.post("meta", WebhookEmitter.metaDeauthorize(MetaSimulator.USER_ID, old));
        assertThat(replayed.statusCode()).isEqualTo(401);
        assertThat(replayed.body()).contains("replay refused");
        long ahead = bed.clock.instant().plus(Duration.ofHours(1)).getEpochSecond();
        assertThat(server.post("meta", WebhookEmitter.metaDeauthorize(MetaSimulator.USER_ID, ahead)).statusCode())
                .isEqualTo(401);
        assertThat(events()).isZero();
    }

    /**
     * X signs no timestamp, so a captured revoke stays validly signed for ever; once its dedupe
     * record is pruned it is stored again. Its date_time is inside the signed body, and it is older
     * than the reconnect.
     */
    @Test
    void an_x_revoke_replayed_after_its_record_was_pruned_leaves_the_reconnected_integration_active() throws Exception {
        String integration = connect("x");
        bed.clock.advance(Duration.ofMinutes(1));
        WebhookEmitter.Delivery captured = WebhookEmitter.x("{\"user_event\":{\"revoke\":{\"date_time\":\""
                + bed.clock.instant() + "\",\"target\":{\"app_id\":\"1\"},\"source\":{\"user_id\":\""
                + externalId(integration) + "\"}}}}");
        post("x", captured);
        assertThat(server.processAll().get(0).detail()).isEqualTo("revoked integration " + integration);
        assertThat(status(integration)).isEqualTo("revoked");

        bed.clock.advance(Duration.ofDays(31));
        cli.run("webhooks", "cleanup").ok();
        assertThat(events()).as("the dedupe record is gone").isZero();
        assertThat(connect("x")).isEqualTo(integration);
        assertThat(status(integration)).isEqualTo("active");

        HttpResponse<String> replay = server.post("x", captured);
        assertThat(replay.body()).contains("queued");
        EventOutcome outcome = server.processAll().get(0);
        assertThat(outcome.outcome()).isEqualTo("processed");
        assertThat(outcome.detail()).startsWith("not revoked").contains("signed by x");
        assertThat(status(integration)).isEqualTo("active");
    }

    /** The X Activity API's revoke carries its date_time in the signed payload, and keeps the same rule. */
    @Test
    void an_x_activity_revoke_dated_before_the_latest_connect_is_ignored_and_a_fresh_one_revokes() throws Exception {
        String integration = connect("x");
        String user = externalId(integration);
        Instant anHourBefore = bed.clock.instant().minus(Duration.ofHours(1));
        post("x", WebhookEmitter.xActivityRevoke("-1111", user, anHourBefore));
        EventOutcome old = server.processAll().get(0);
        assertThat(old.outcome()).isEqualTo("processed");
        assertThat(old.detail()).startsWith("not revoked: the revocation happened at " + anHourBefore)
                .contains("signed by x").contains("before the latest connect of integration " + integration);
        assertThat(status(integration)).isEqualTo("active");

        bed.clock.advance(Duration.ofSeconds(5));
        post("x", WebhookEmitter.xActivityRevoke("-2222", user, bed.clock.instant()));
        assertThat(server.processAll().get(0).detail()).isEqualTo("revoked integration " + integration);
        assertThat(status(integration)).isEqualTo("revoked");
    }

    @Test
    void an_x_revoke_without_a_date_time_counts_from_when_it_was_received() throws Exception {
        String integration = connect("x");
        bed.clock.advance(Duration.ofSeconds(1));
        post("x", WebhookEmitter.x("{\"user_event\":{\"revoke\":{\"target\":{\"app_id\":\"1\"},\"source\":"
                + "{\"user_id\":\"" + externalId(integration) + "\"}}}}"));
        assertThat(server.processAll().get(0).detail()).isEqualTo("revoked integration " + integration);
        StoredEvent stored = bed.tenancy().systemWide("test", h -> new WebhookEventRepository(h)
                .list(java.util.Optional.empty(), java.util.Optional.empty(), false, 1)).get(0);
        assertThat(stored.occurredAt()).isNull();
        assertThat(stored.happenedAt()).isEqualTo(stored.receivedAt());
    }

    private String connect(String platform, String... extra) throws Exception {
        return OAuthUser.connect(cli, org, platform, extra).get("id").asText();
    }

    private void post(String platform, WebhookEmitter.Delivery delivery) throws Exception {
        HttpResponse<String> answer = server.post(platform, delivery);
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
    }

    private long now() {
        return bed.clock.instant().getEpochSecond();
    }

    private String externalId(String integration) {
        return bed.jdbi.withHandle(h -> h.createQuery(
                        "SELECT external_account_id FROM cmis_platform.integrations WHERE id = :id")
                .bind("id", UUID.fromString(integration)).mapTo(String.class).one());
    }

    private String status(String integration) {
        return bed.jdbi.withHandle(h -> h.createQuery("SELECT status FROM cmis_platform.integrations WHERE id = :id")
                .bind("id", UUID.fromString(integration)).mapTo(String.class).one());
    }

    private long events() {
        return bed.jdbi.withHandle(h -> h.createQuery("SELECT count(*) FROM cmis_platform.webhook_events")
                .mapTo(Long.class).one());
    }
}
