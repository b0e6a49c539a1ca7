package io.cmis.platform.platforms;

import io.cmis.platform.crypto.Secret;
import io.cmis.platform.sandbox.Fault;
import io.cmis.platform.sandbox.GoogleSimulator;
import io.cmis.platform.sandbox.Simulator;
import io.cmis.platform.support.PlatformTestBed;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class GoogleConnectorTest extends PlatformContractTest {
    @Override
    protected CallContext newContext(PlatformTestBed bed) {
        String[] tokens = bed.sandbox.google().issueTokens();
        return new CallContext(UUID.randomUUID(), UUID.randomUUID(), "user", Secret.of(tokens[0]),
                GoogleSimulator.SUBJECT);
    }

    @Override
    public Simulator simulator() {
        return bed.sandbox.google();
    }

    @Override
    public String platform() {
        return "google";
    }

    @Override
    public String dataPath() {
        return "/v\\d+/customers:listAccessibleCustomers";
    }

    @Override
    public List<?> dataCall(PlatformConnector connector, CallContext context) {
        return connector.adAccounts(context);
    }

    @Override
    public int[] seedSeveralPages() {
        bed.sandbox.google().seed(7, 2);
        bed.sandbox.google().seedYouTube(120);
        return new int[] {120, bed.sandbox.google().accountCount()};
    }

    @Override
    public void assertAuthorizationUrl(URI url) {
        assertThat(url.getPath()).isEqualTo("/o/oauth2/v2/auth");
        assertThat(url.getRawQuery()).contains("access_type=offline").contains("prompt=consent")
                .contains("code_challenge=challenge-xyz").contains("code_challenge_method=S256")
                .contains("scope=scope.a%20scope.b").contains("client_id=" + GoogleSimulator.CLIENT_ID);
    }

    @Override
    public void assertTokenLifecycle(PlatformConnector connector) {
        String verifier = "v".repeat(43) + "-verifier";
        String code = bed.sandbox.google().issueCode("https://app.example/cb", s256(verifier));
        UUID org = UUID.randomUUID();

        TokenGrant grant = connector.exchangeCode(new CodeExchange(Secret.of(code), "https://app.example/cb",
                Optional.of(Secret.of(verifier)), "user", org));

        assertThat(grant.accessToken().reveal()).startsWith("ya29.");
        assertThat(grant.refreshToken()).isPresent();
        assertThat(grant.expiresAt()).contains(bed.clock.instant().plusSeconds(3599));
        assertThat(grant.accountId()).contains(GoogleSimulator.SUBJECT);
        assertThat(connector.refreshMode("user")).isEqualTo(RefreshMode.REFRESH_TOKEN);

        bed.clock.advance(Duration.ofMinutes(55));
        TokenGrant refreshed = connector.refresh(new StoredGrant(org, UUID.randomUUID(), "user", grant.accessToken(),
                grant.refreshToken(), grant.expiresAt()));
        assertThat(refreshed.accessToken()).isNotEqualTo(grant.accessToken());
        assertThat(refreshed.refreshToken()).as("Google does not rotate refresh tokens").isEqualTo(grant.refreshToken());
        assertThat(refreshed.expiresAt()).contains(bed.clock.instant().plusSeconds(3599));

        String badCode = bed.sandbox.google().issueCode("https://app.example/cb", s256(verifier));
        assertThatThrownBy(() -> connector.exchangeCode(new CodeExchange(Secret.of(badCode), "https://app.example/cb",
                Optional.of(Secret.of("wrong-verifier")), "user", org))).isInstanceOf(ReauthRequiredException.class);

        bed.sandbox.google().revokeUser();
        assertThatThrownBy(() -> connector.refresh(new StoredGrant(org, UUID.randomUUID(), "user", grant.accessToken(),
                grant.refreshToken(), grant.expiresAt())))
                .isInstanceOf(ReauthRequiredException.class).hasMessageContaining("invalid_grant");
    }

    private static final String PUSH = GoogleSimulator.pushBody("2070443601311540", "{\"notice\":\"hello\"}");

    @Override
    public Delivery signedDelivery() {
        return delivery(GoogleSimulator.PUSH_AUDIENCE, Duration.ofMinutes(30));
    }

    @Override
    public boolean signsBody() {
        return false;
    }

    private Delivery delivery(String audience, Duration ttl) {
        String token = bed.sandbox.google().pushToken(audience, ttl, bed.clock.instant());
        return new Delivery(Map.of("authorization", "Bearer " + token),
                PUSH.getBytes(java.nio.charset.StandardCharsets.UTF_8), 1);
    }

    @Test
    void a_push_token_for_another_audience_or_expired_is_rejected() {
        Delivery other = delivery("someone-else", Duration.ofMinutes(30));
        assertThatThrownBy(() -> connector().webhooks().verify(other.headers(), other.body()))
                .isInstanceOf(WebhookRejectedException.class).hasMessageContaining("audience");
        Delivery old = delivery(GoogleSimulator.PUSH_AUDIENCE, Duration.ofMinutes(1));
        bed.clock.advance(Duration.ofMinutes(5));
        assertThatThrownBy(() -> connector().webhooks().verify(old.headers(), old.body()))
                .isInstanceOf(WebhookRejectedException.class).hasMessageContaining("expired");
    }

    @Test
    void signing_keys_are_fetched_once_and_again_when_google_rotates_them() {
        Delivery first = signedDelivery();
        connector().webhooks().verify(first.headers(), first.body());
        connector().webhooks().verify(first.headers(), first.body());
        assertThat(simulator().requests("/oauth2/v3/certs")).isEqualTo(1);

        bed.sandbox.google().rotateSigningKey();
        bed.clock.advance(Duration.ofSeconds(31));
        Delivery rotated = signedDelivery();
        connector().webhooks().verify(rotated.headers(), rotated.body());
        assertThat(simulator().requests("/oauth2/v3/certs")).isEqualTo(2);
    }

    @Test
    void the_message_id_is_the_event_key() {
        InboundEvent event = connector().webhooks().events(PUSH.getBytes()).get(0);
        assertThat(event.eventKey()).isEqualTo("msg:2070443601311540");
        assertThat(event.payload().path("decoded_data").path("notice").asText()).isEqualTo("hello");
    }

    @Test
    void ad_accounts_include_clients_reached_through_managers_with_their_manager() {
        List<DiscoveredAdAccount> accounts = connector().adAccounts(context);

        assertThat(accounts).hasSize(bed.sandbox.google().accountCount());
        assertThat(accounts).filteredOn(a -> a.externalId().equals("4000000001")).singleElement()
                .satisfies(a -> {
                    assertThat(a.managerExternalId()).contains("3333333333");
                    assertThat(a.manager()).isFalse();
                    assertThat(a.currency()).isEqualTo("EUR");
                    assertThat(a.status()).isEqualTo("active");
                });
        assertThat(accounts).filteredOn(DiscoveredAdAccount::manager).extracting(DiscoveredAdAccount::externalId)
                .containsExactlyInAnyOrder(GoogleSimulator.MANAGER, "3333333333");
    }

    @Test
    void youtube_channels_come_from_channels_mine() {
        assertThat(connector().channels(context)).singleElement()
                .satisfies(c -> assertThat(c.type()).isEqualTo("youtube_channel"));
    }

    @Test
    void identifies_the_google_account_of_a_token() {
        assertThat(connector().identify(context).externalId()).isEqualTo(GoogleSimulator.SUBJECT);
    }

    private static String s256(String verifier) {
        try {
            return Base64.getUrlEncoder().withoutPadding().encodeToString(
                    MessageDigest.getInstance("SHA-256").digest(verifier.getBytes(StandardCharsets.US_ASCII)));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
