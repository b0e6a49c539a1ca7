package io.cmis.platform.platforms;

import io.cmis.platform.sandbox.Fault;
import io.cmis.platform.sandbox.Simulator;
import io.cmis.platform.support.PlatformTestBed;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * What every connector must do, run by each platform against its simulator over real HTTP.
 * A new platform passes this suite before it is registered.
 */
public interface ConnectorContract {
    PlatformTestBed bed();

    Simulator simulator();

    String platform();

    /** A valid call context for data calls (a token the simulator issued). */
    CallContext context();

    /** The path (regex) of the data endpoint that {@link #dataCall} hits first. */
    String dataPath();

    /** One data call: discovery of ad accounts or channels. */
    List<?> dataCall(PlatformConnector connector, CallContext context);

    /** Which exception each fault must become; the same on every platform, in its own words. */
    default Map<Fault, Class<? extends PlatformException>> expectedErrors() {
        return Map.of(Fault.TRANSIENT, TransientPlatformException.class,
                Fault.RATE_LIMIT, RateLimitExceededException.class,
                Fault.TOKEN_EXPIRED, TokenExpiredException.class,
                Fault.REVOKED, ReauthRequiredException.class,
                Fault.PERMANENT, PermanentPlatformException.class);
    }

    /** Seeds more items than fit on one page and returns how many channels and ad accounts to expect. */
    int[] seedSeveralPages();

    /** The platform's authorization URL parameters. */
    void assertAuthorizationUrl(java.net.URI url);

    /** Code exchange and the platform's refresh semantics. */
    void assertTokenLifecycle(PlatformConnector connector);

    /** A correctly signed webhook delivery of this platform and how many events it holds. */
    Delivery signedDelivery();

    /** Whether the platform pushes webhooks at all (Snapchat's Marketing API documents none). */
    default boolean hasWebhooks() {
        return true;
    }

    record Delivery(Map<String, String> headers, byte[] body, int events) {
    }

    /** The platform's own revocation (user removed the app), signed as it sends it; empty when it sends none. */
    default java.util.Optional<Delivery> revocationDelivery() {
        return java.util.Optional.empty();
    }

    /** Every shape of the platform's revocation, where it sends more than one (X: two webhook products). */
    default List<Delivery> revocationDeliveries() {
        return revocationDelivery().stream().toList();
    }

    default PlatformConnector connector() {
        return bed().registry().get(platform());
    }

    @Test
    default void builds_the_authorization_url_with_state_and_redirect() {
        java.net.URI url = connector().authorizationUrl(new AuthorizationRequest("state-123", "https://app.example/cb",
                List.of("scope.a", "scope.b"), java.util.Optional.of("challenge-xyz"), connector().tokenKinds().get(0)));
        assertThat(url.getRawQuery()).contains("state=state-123").contains("redirect_uri=https%3A%2F%2Fapp.example%2Fcb");
        assertAuthorizationUrl(url);
    }

    @Test
    default void exchanges_a_code_and_follows_the_platforms_token_lifecycle() {
        assertTokenLifecycle(connector());
    }

    @Test
    default void follows_paging_to_the_real_end() {
        int[] expected = seedSeveralPages();
        assertThat(connector().channels(context())).hasSize(expected[0]);
        assertThat(connector().adAccounts(context())).hasSize(expected[1]);
    }

    @Test
    default void maps_each_error_class_to_its_exception() {
        for (Map.Entry<Fault, Class<? extends PlatformException>> e : expectedErrors().entrySet()) {
            simulator().clearFaults();
            simulator().failNext(3, dataPath(), e.getKey());
            assertThatThrownBy(() -> dataCall(connector(), context())).as(e.getKey().name())
                    .isInstanceOf(e.getValue())
                    .satisfies(t -> assertThat(((PlatformException) t).platform()).isEqualTo(platform()));
            simulator().clearFaults();
            bed().newProcess(); // a fresh breaker: the transient case counts failures
            bed().jdbi.useHandle(h -> h.execute("DELETE FROM cmis_platform.rate_limits"));
            bed().jdbi.useHandle(h -> h.execute("DELETE FROM cmis_platform.circuit_breakers"));
        }
    }

    @Test
    default void retries_a_transient_failure_of_a_read_and_succeeds() {
        simulator().failNext(2, dataPath(), Fault.TRANSIENT);
        int before = simulator().requests(dataPath());

        assertThat(dataCall(connector(), context())).isNotNull();

        assertThat(simulator().requests(dataPath()) - before).isGreaterThanOrEqualTo(3);
        assertThat(bed().sleeps).hasSize(2);
    }

    @Test
    default void a_rate_limit_means_no_call_at_all_until_retry_after_even_from_a_new_process() {
        simulator().failNext(1, dataPath(), Fault.RATE_LIMIT);
        RateLimitExceededException limited = org.junit.jupiter.api.Assertions.assertThrows(
                RateLimitExceededException.class, () -> dataCall(connector(), context()));
        assertThat(limited.retryAfter()).isPositive();
        int after = simulator().requests();

        bed().newProcess();
        assertThatThrownBy(() -> dataCall(connector(), context()))
                .isInstanceOf(RateLimitExceededException.class)
                .hasMessageContaining("no call made");
        assertThat(simulator().requests()).as("no network call while limited").isEqualTo(after);

        bed().clock.advance(limited.retryAfter().plusSeconds(1));
        assertThat(dataCall(connector(), context())).isNotNull();
        assertThat(simulator().requests()).isGreaterThan(after);
    }

    @Test
    default void the_breaker_opens_after_five_transient_failures_and_a_new_process_still_sees_it() {
        simulator().failNext(5, dataPath(), Fault.TRANSIENT);
        for (int i = 0; i < 2; i++) {
            assertThatThrownBy(() -> dataCall(connector(), context())).isInstanceOf(PlatformException.class);
        }
        int afterFailures = simulator().requests();

        assertThatThrownBy(() -> dataCall(connector(), context())).isInstanceOf(CircuitOpenException.class);
        assertThat(simulator().requests()).isEqualTo(afterFailures);

        bed().newProcess();
        assertThatThrownBy(() -> dataCall(connector(), context()))
                .isInstanceOf(CircuitOpenException.class)
                .hasMessageContaining("no call made");
        assertThat(simulator().requests()).as("the next process makes no call either").isEqualTo(afterFailures);

        bed().clock.advance(Duration.ofSeconds(61));
        assertThat(dataCall(connector(), context())).isNotNull();
        assertThat(dataCall(connector(), context())).isNotNull();
        String state = bed().jdbi.withHandle(h -> h.createQuery(
                "SELECT state FROM cmis_platform.circuit_breakers WHERE platform = :p").bind("p", platform())
                .mapTo(String.class).one());
        assertThat(state).isEqualTo("closed");
    }

    @Test
    default void failures_of_separate_one_shot_runs_add_up_and_a_success_ends_the_run() {
        simulator().failNext(3, dataPath(), Fault.TRANSIENT); // one run: three attempts, three failures
        bed().newProcess();
        assertThatThrownBy(() -> dataCall(connector(), context())).isInstanceOf(PlatformException.class);
        bed().newProcess();
        assertThat(dataCall(connector(), context())).as("a success in between resets the count").isNotNull();

        simulator().failNext(5, dataPath(), Fault.TRANSIENT);
        for (int run = 0; run < 2; run++) { // each run retries up to 3 times: 3 + 2 failures in a row
            bed().newProcess();
            assertThatThrownBy(() -> dataCall(connector(), context())).isInstanceOf(PlatformException.class);
        }
        bed().newProcess();
        assertThatThrownBy(() -> dataCall(connector(), context())).isInstanceOf(CircuitOpenException.class);
    }

    @Test
    default void the_breaker_ignores_permanent_errors_and_rate_limits() {
        for (int i = 0; i < 6; i++) {
            simulator().failNext(1, dataPath(), Fault.PERMANENT);
            assertThatThrownBy(() -> dataCall(connector(), context())).isInstanceOf(PermanentPlatformException.class);
        }
        assertThat(dataCall(connector(), context())).isNotNull();
    }

    @Test
    default void logs_every_call_with_its_template_and_no_secret() {
        dataCall(connector(), context());
        simulator().failNext(1, dataPath(), Fault.PERMANENT);
        assertThatThrownBy(() -> dataCall(connector(), context())).isInstanceOf(PermanentPlatformException.class);
        bed().flushCallLog();

        List<Map<String, Object>> rows = bed().jdbi.withHandle(h -> h.createQuery(
                "SELECT row_to_json(c)::text AS row, outcome FROM cmis_platform.platform_api_calls c").mapToMap().list());
        assertThat(rows).isNotEmpty();
        assertThat(rows).extracting(r -> r.get("outcome")).contains("success", "permanent");
        String secret = context().accessToken().reveal();
        assertThat(rows).allSatisfy(r -> assertThat((String) r.get("row"))
                .doesNotContain(secret).doesNotContain("?").doesNotContain("secret").contains("\"platform\":\"" + platform() + "\""));
    }


    @Test
    default void a_signed_webhook_verifies_and_splits_into_stably_keyed_events() {
        org.junit.jupiter.api.Assumptions.assumeTrue(hasWebhooks(), "the platform sends no webhooks");
        Delivery delivery = signedDelivery();
        WebhookSupport webhooks = connector().webhooks();

        webhooks.verify(delivery.headers(), delivery.body());
        List<InboundEvent> events = webhooks.events(delivery.body());

        assertThat(events).hasSize(delivery.events());
        assertThat(events).extracting(InboundEvent::eventKey).doesNotHaveDuplicates()
                .allSatisfy(k -> assertThat(k).isNotBlank());
        assertThat(webhooks.events(delivery.body())).extracting(InboundEvent::eventKey)
                .as("the same delivery again has the same keys")
                .containsExactlyElementsOf(events.stream().map(InboundEvent::eventKey).toList());
    }

    /**
     * Data and code agree: the declared revocations are exactly the types of the platform's own
     * revocation delivery, which carries the time the platform signed; a platform that sends none
     * declares none.
     */
    @Test
    default void declares_as_revocations_exactly_the_events_its_platform_sends_as_such() {
        java.util.Set<String> declared = connector().webhooks().revocations();
        List<Delivery> revocations = revocationDeliveries();
        if (revocations.isEmpty()) {
            assertThat(declared).as("a platform that sends no revocation declares none").isEmpty();
            return;
        }
        java.util.Set<String> sent = new java.util.HashSet<>();
        for (Delivery revocation : revocations) {
            connector().webhooks().verify(revocation.headers(), revocation.body());
            List<InboundEvent> events = connector().webhooks().events(revocation.body());
            assertThat(events).extracting(InboundEvent::eventType).isSubsetOf(declared);
            assertThat(events).allSatisfy(e -> assertThat(e.occurredAt()).as("the signed time of " + e.eventType())
                    .isPresent());
            events.forEach(e -> sent.add(e.eventType()));
        }
        assertThat(sent).isEqualTo(declared);
    }

    /** Whether the signature covers the body (Meta, TikTok); Pub/Sub's token authenticates the sender only. */
    default boolean signsBody() {
        return true;
    }

    @Test
    default void a_tampered_or_unsigned_webhook_is_rejected() {
        org.junit.jupiter.api.Assumptions.assumeTrue(hasWebhooks(), "the platform sends no webhooks");
        Delivery delivery = signedDelivery();
        if (signsBody()) {
            byte[] tampered = java.util.Arrays.copyOf(delivery.body(), delivery.body().length + 1);
            tampered[tampered.length - 1] = ' ';
            assertThatThrownBy(() -> connector().webhooks().verify(delivery.headers(), tampered))
                    .isInstanceOf(WebhookRejectedException.class);
        }
        Map<String, String> forged = new java.util.HashMap<>();
        delivery.headers().forEach((k, v) -> forged.put(k, v.substring(0, v.length() - 2)
                + (v.endsWith("AA") ? "BB" : "AA")));
        assertThatThrownBy(() -> connector().webhooks().verify(forged, delivery.body()))
                .isInstanceOf(WebhookRejectedException.class);
        assertThatThrownBy(() -> connector().webhooks().verify(Map.of(), delivery.body()))
                .isInstanceOf(WebhookRejectedException.class);
    }

    @Test
    default void a_platform_without_webhooks_refuses_every_delivery() {
        org.junit.jupiter.api.Assumptions.assumeFalse(hasWebhooks(), "the platform sends webhooks");
        Delivery delivery = signedDelivery();
        assertThatThrownBy(() -> connector().webhooks().verify(delivery.headers(), delivery.body()))
                .isInstanceOf(WebhookRejectedException.class).hasMessageContaining("no webhooks");
        assertThatThrownBy(() -> connector().webhooks().events(delivery.body()))
                .isInstanceOf(MalformedWebhookException.class);
    }

    @Test
    default void a_signed_body_that_is_not_the_platforms_shape_is_malformed() {
        assertThatThrownBy(() -> connector().webhooks().events("[1,2]".getBytes()))
                .isInstanceOf(MalformedWebhookException.class);
        assertThatThrownBy(() -> connector().webhooks().events("not json".getBytes()))
                .isInstanceOf(MalformedWebhookException.class);
    }
}
