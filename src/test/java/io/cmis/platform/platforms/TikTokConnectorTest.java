package io.cmis.platform.platforms;

import io.cmis.platform.crypto.Secret;
import io.cmis.platform.sandbox.Fault;
import io.cmis.platform.sandbox.Simulator;
import io.cmis.platform.sandbox.TikTokSimulator;
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

class TikTokConnectorTest extends PlatformContractTest {

    @Override
    protected CallContext newContext(PlatformTestBed bed) {
        return new CallContext(UUID.randomUUID(), UUID.randomUUID(), "advertiser",
                Secret.of(bed.sandbox.tiktok().issueAdvertiserToken()), null);
    }

    @Override
    public Simulator simulator() {
        return bed.sandbox.tiktok();
    }

    @Override
    public String platform() {
        return "tiktok";
    }

    @Override
    public String dataPath() {
        return "/open_api/v1\\.3/oauth2/advertiser/get/";
    }

    @Override
    public List<?> dataCall(PlatformConnector connector, CallContext context) {
        return connector.adAccounts(context);
    }

    /** Advertiser info is asked 100 ids at a time: 230 advertisers take three calls. */
    @Override
    public int[] seedSeveralPages() {
        bed.sandbox.tiktok().seed(230);
        return new int[] {0, 230};
    }

    @Override
    public void assertAuthorizationUrl(URI url) {
        assertThat(url.getPath()).isEqualTo("/portal/auth");
        assertThat(url.getRawQuery()).contains("app_id=" + TikTokSimulator.APP_ID).doesNotContain("code_challenge");
    }

    @Override
    public void assertTokenLifecycle(PlatformConnector connector) {
        UUID org = UUID.randomUUID();
        TokenGrant advertiser = connector.exchangeCode(new CodeExchange(
                Secret.of(bed.sandbox.tiktok().issueAuthCode()), "https://app.example/cb", Optional.empty(),
                "advertiser", org));
        assertThat(advertiser.expiresAt()).as("advertiser tokens do not expire").isEmpty();
        assertThat(advertiser.refreshToken()).isEmpty();
        assertThat(advertiser.extras().get("advertiser_ids")).hasSize(2);
        assertThat(connector.refreshMode("advertiser")).isEqualTo(RefreshMode.NEVER_EXPIRES);

        TokenGrant holder = connector.exchangeCode(new CodeExchange(Secret.of(bed.sandbox.tiktok().issueUserCode()),
                "https://app.example/cb", Optional.empty(), "tt_user", org));
        assertThat(holder.accessToken().reveal()).startsWith("act.");
        assertThat(holder.refreshToken()).isPresent();
        assertThat(holder.expiresAt()).contains(bed.clock.instant().plus(Duration.ofHours(2)));
        assertThat(holder.accountId()).contains(TikTokSimulator.OPEN_ID);
        assertThat(connector.refreshMode("tt_user")).isEqualTo(RefreshMode.ROTATING_REFRESH_TOKEN);

        StoredGrant stored = new StoredGrant(org, UUID.randomUUID(), "tt_user", holder.accessToken(),
                holder.refreshToken(), holder.expiresAt());
        TokenGrant rotated = connector.refresh(stored);
        assertThat(rotated.refreshToken()).isPresent().isNotEqualTo(holder.refreshToken());
        assertThatThrownBy(() -> connector.refresh(stored)).as("the old refresh token died with the rotation")
                .isInstanceOf(ReauthRequiredException.class).hasMessageContaining("40107");
    }

    private static final String REMOVED = "{\"client_key\":\"bwo2m45353a6k85\",\"event\":\"authorization.removed\","
            + "\"create_time\":1615338610,\"user_openid\":\"" + TikTokSimulator.OPEN_ID + "\",\"content\":\"{\\\"reason\\\": 1 }\"}";

    @Override
    public java.util.Optional<Delivery> revocationDelivery() {
        return java.util.Optional.of(signedDelivery());
    }

    @Override
    public Delivery signedDelivery() {
        return new Delivery(TikTokSimulator.signedHeaders(REMOVED, bed.clock.instant().getEpochSecond()),
                REMOVED.getBytes(java.nio.charset.StandardCharsets.UTF_8), 1);
    }

    @Test
    void a_signature_older_than_five_minutes_is_a_replay() {
        long sixMinutesAgo = bed.clock.instant().minusSeconds(360).getEpochSecond();
        assertThatThrownBy(() -> connector().webhooks().verify(TikTokSimulator.signedHeaders(REMOVED, sixMinutesAgo),
                REMOVED.getBytes())).isInstanceOf(WebhookRejectedException.class).hasMessageContaining("replay");
    }

    @Test
    void the_content_string_is_parsed_and_the_open_id_routes() {
        InboundEvent event = connector().webhooks().events(REMOVED.getBytes()).get(0);
        assertThat(event.eventType()).isEqualTo("authorization.removed");
        assertThat(event.routingKey()).contains(TikTokSimulator.OPEN_ID);
        assertThat(event.payload().path("content").path("reason").asInt()).isEqualTo(1);
    }

    @Test
    void an_account_holder_token_discovers_its_tiktok_account() {
        TokenGrant holder = connector().exchangeCode(new CodeExchange(Secret.of(bed.sandbox.tiktok().issueUserCode()),
                "https://app.example/cb", Optional.empty(), "tt_user", UUID.randomUUID()));
        CallContext holderContext = new CallContext(UUID.randomUUID(), UUID.randomUUID(), "tt_user",
                holder.accessToken(), TikTokSimulator.OPEN_ID);

        assertThat(connector().channels(holderContext)).singleElement().satisfies(c -> {
            assertThat(c.type()).isEqualTo("tiktok_account");
            assertThat(c.externalId()).isEqualTo(TikTokSimulator.OPEN_ID);
        });
        assertThat(connector().adAccounts(holderContext)).isEmpty();
    }

    @Test
    void errors_that_arrive_as_http_200_are_still_errors() {
        bed.sandbox.tiktok().revokeAll();
        assertThatThrownBy(() -> connector().adAccounts(context)).isInstanceOf(ReauthRequiredException.class)
                .hasMessageContaining("40105");
    }

    @Test
    void refreshing_an_advertiser_token_is_refused_without_a_call() {
        int before = simulator().requests();
        assertThatThrownBy(() -> connector().refresh(new StoredGrant(UUID.randomUUID(), UUID.randomUUID(),
                "advertiser", context.accessToken(), Optional.empty(), Optional.empty())))
                .isInstanceOf(PermanentPlatformException.class);
        assertThat(simulator().requests()).isEqualTo(before);
    }
}
