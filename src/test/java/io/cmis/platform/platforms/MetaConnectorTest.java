package io.cmis.platform.platforms;

import io.cmis.platform.crypto.Secret;
import io.cmis.platform.sandbox.Fault;
import io.cmis.platform.sandbox.MetaSimulator;
import io.cmis.platform.sandbox.Simulator;
import io.cmis.platform.support.PlatformTestBed;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class MetaConnectorTest implements ConnectorContract {
    private PlatformTestBed bed;
    private CallContext context;

    @BeforeEach
    void start() {
        bed = new PlatformTestBed();
        context = new CallContext(UUID.randomUUID(), UUID.randomUUID(), "user",
                Secret.of(bed.sandbox.meta().issueLongLivedToken()), MetaSimulator.USER_ID);
    }

    @AfterEach
    void stop() {
        bed.close();
    }

    @Override
    public PlatformTestBed bed() {
        return bed;
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
    public CallContext context() {
        return context;
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
    public Map<Fault, Class<? extends PlatformException>> expectedErrors() {
        return Map.of(Fault.TRANSIENT, TransientPlatformException.class,
                Fault.RATE_LIMIT, RateLimitExceededException.class,
                Fault.TOKEN_EXPIRED, TokenExpiredException.class,
                Fault.REVOKED, ReauthRequiredException.class,
                Fault.PERMANENT, PermanentPlatformException.class);
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
