package io.cmis.platform.platforms;

import io.cmis.platform.crypto.Secret;
import io.cmis.platform.sandbox.Fault;
import io.cmis.platform.sandbox.MetaSimulator;
import io.cmis.platform.sandbox.Simulator;
import io.cmis.platform.support.PlatformTestBed;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class MetaConnectorTest extends PlatformContractTest {

    @Override
    protected CallContext newContext(PlatformTestBed bed) {
        return new CallContext(UUID.randomUUID(), UUID.randomUUID(), "user",
                Secret.of(bed.sandbox.meta().issueLongLivedToken()), MetaSimulator.USER_ID);
    }

    @Override
    public Simulator simulator() {
        return bed.sandbox.meta();
    }

    @Override
    public String platform() {
        return "meta";
    }

    @Override
    public String dataPath() {
        return "/v\\d+\\.0/me/adaccounts";
    }

    @Override
    public List<?> dataCall(PlatformConnector connector, CallContext context) {
        return connector.adAccounts(context);
    }

    @Override
    public int[] seedSeveralPages() {
        bed.sandbox.meta().seed(250, 230);
        return new int[] {250 + 125, 230};
    }

    @Override
    public void assertAuthorizationUrl(URI url) {
        assertThat(url.getPath()).isEqualTo("/v25.0/dialog/oauth");
        assertThat(url.getRawQuery()).contains("client_id=" + MetaSimulator.CLIENT_ID).contains("response_type=code")
                .contains("scope=scope.a%2Cscope.b");
    }

    @Override
    public void assertTokenLifecycle(PlatformConnector connector) {
        String code = bed.sandbox.meta().issueCode("https://app.example/cb");
        CodeExchange exchange = new CodeExchange(Secret.of(code), "https://app.example/cb", Optional.empty(), "user",
                UUID.randomUUID());

        TokenGrant grant = connector.exchangeCode(exchange);

        assertThat(grant.accessToken().reveal()).as("the long-lived token, not the short one").startsWith("EAAL");
        assertThat(grant.refreshToken()).isEmpty();
        assertThat(grant.expiresAt()).contains(bed.clock.instant().plus(Duration.ofDays(60)));
        assertThat(connector.refreshMode("user")).isEqualTo(RefreshMode.REAUTH_ONLY);
        assertThatThrownBy(() -> connector.exchangeCode(exchange)).as("a code is single-use")
                .isInstanceOf(PermanentPlatformException.class);

        bed.sandbox.meta().revokeUser();
        StoredGrant stored = new StoredGrant(exchange.orgId(), UUID.randomUUID(), "user", grant.accessToken(),
                Optional.empty(), grant.expiresAt());
        assertThatThrownBy(() -> connector.refresh(stored)).isInstanceOf(ReauthRequiredException.class)
                .hasMessageContaining("190/458");
    }

    static String feed(long time, String message) {
        return "{\"object\":\"page\",\"entry\":[{\"id\":\"112233440001\",\"time\":" + time + ",\"changes\":["
                + "{\"field\":\"feed\",\"value\":{\"item\":\"comment\",\"verb\":\"add\",\"post_id\":\"112233440001_1\","
                + "\"comment_id\":\"1_2\",\"message\":\"" + message + "\",\"created_time\":1767225590}},"
                + "{\"field\":\"feed\",\"value\":{\"item\":\"status\",\"verb\":\"add\",\"post_id\":\"112233440001_9\"}},"
                + "{\"field\":\"name\",\"value\":{\"page\":\"renamed\"}}]}]}";
    }

    @Override
    public java.util.Optional<Delivery> revocationDelivery() {
        io.cmis.platform.sandbox.WebhookEmitter.Delivery d = io.cmis.platform.sandbox.WebhookEmitter.metaDeauthorize(
                MetaSimulator.USER_ID, bed.clock.instant().getEpochSecond());
        return java.util.Optional.of(new Delivery(d.headers(), d.body().getBytes(java.nio.charset.StandardCharsets.UTF_8), 1));
    }

    @Override
    public Delivery signedDelivery() {
        String body = feed(1767225600L, "Love it!");
        return new Delivery(MetaSimulator.signedHeaders(body), body.getBytes(java.nio.charset.StandardCharsets.UTF_8), 3);
    }

    @Test
    void keys_ignore_the_send_time_but_tell_an_edit_from_a_retry() {
        WebhookSupport webhooks = connector().webhooks();
        List<String> first = keys(webhooks.events(feed(1767225600L, "Love it!").getBytes()));
        List<String> resent = keys(webhooks.events(feed(1767229999L, "Love it!").getBytes()));
        List<String> edited = keys(webhooks.events(feed(1767225600L, "Love it!!").getBytes()));

        assertThat(resent).isEqualTo(first);
        assertThat(edited.get(0)).isNotEqualTo(first.get(0));
        assertThat(edited.subList(1, 3)).isEqualTo(first.subList(1, 3));
        assertThat(webhooks.events(feed(1767225600L, "x").getBytes()).get(0).routingKey()).contains("112233440001");
    }

    @Test
    void the_get_handshake_echoes_the_challenge_only_for_the_verify_token() {
        WebhookSupport webhooks = connector().webhooks();
        assertThat(webhooks.handshake(Map.of("hub.mode", "subscribe", "hub.verify_token", MetaSimulator.VERIFY_TOKEN,
                "hub.challenge", "1158201444"))).contains("1158201444");
        assertThat(webhooks.handshake(Map.of("hub.mode", "subscribe", "hub.verify_token", "guess",
                "hub.challenge", "1158201444"))).isEmpty();
        assertThat(webhooks.handshake(Map.of("hub.mode", "unsubscribe", "hub.verify_token", MetaSimulator.VERIFY_TOKEN,
                "hub.challenge", "1"))).isEmpty();
    }

    private static List<String> keys(List<InboundEvent> events) {
        return events.stream().map(InboundEvent::eventKey).toList();
    }

    @Test
    void pages_bring_their_page_tokens_and_linked_instagram_accounts() {
        List<DiscoveredChannel> channels = connector().channels(context);

        assertThat(channels).filteredOn(c -> c.type().equals("facebook_page")).hasSize(3)
                .allSatisfy(c -> assertThat(c.accessToken()).isPresent());
        assertThat(channels).filteredOn(c -> c.type().equals("instagram_business")).hasSize(2)
                .allSatisfy(c -> assertThat(c.parentExternalId()).isPresent());
    }

    @Test
    void ad_accounts_carry_a_readable_status() {
        bed.sandbox.meta().seed(1, 5);
        List<DiscoveredAdAccount> accounts = connector().adAccounts(context);
        assertThat(accounts).extracting(DiscoveredAdAccount::status).containsOnly("active", "disabled");
        assertThat(accounts.get(0).externalId()).startsWith("act_");
        assertThat(accounts.get(0).currency()).isEqualTo("USD");
    }

    @Test
    void identifies_the_user_of_a_token() {
        assertThat(connector().identify(context).externalId()).isEqualTo(MetaSimulator.USER_ID);
    }
}
