package io.cmis.platform.platforms;

import io.cmis.platform.crypto.Secret;
import io.cmis.platform.sandbox.Fault;
import io.cmis.platform.sandbox.Simulator;
import io.cmis.platform.sandbox.SnapchatSimulator;
import io.cmis.platform.sandbox.SnapchatSimulator.RefreshAnswer;
import io.cmis.platform.sandbox.SnapchatSimulator.UnauthorizedBody;
import io.cmis.platform.support.PlatformTestBed;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import static io.cmis.platform.sandbox.SnapchatSimulator.MARKETING_SCOPE;
import static io.cmis.platform.sandbox.SnapchatSimulator.PROFILE_SCOPE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SnapchatConnectorTest extends PlatformContractTest {
    private static final String ORGANIZATIONS = "/v1/me/organizations";
    private static final String TOKEN = "/login/oauth2/access_token";
    private static final String REDIRECT = "https://app.example/cb";

    @Override
    protected CallContext newContext(PlatformTestBed bed) {
        return context(bed, MARKETING_SCOPE, PROFILE_SCOPE);
    }

    private static CallContext context(PlatformTestBed bed, String... scopes) {
        String[] tokens = bed.sandbox.snapchat().issueTokens(String.join(" ", scopes));
        return new CallContext(UUID.randomUUID(), UUID.randomUUID(), "user", Secret.of(tokens[0]), null, List.of(scopes));
    }

    private SnapchatSimulator snapchat() {
        return bed.sandbox.snapchat();
    }

    @Override
    public Simulator simulator() {
        return snapchat();
    }

    @Override
    public String platform() {
        return "snapchat";
    }

    @Override
    public String dataPath() {
        return ORGANIZATIONS;
    }

    @Override
    public List<?> dataCall(PlatformConnector connector, CallContext context) {
        return connector.adAccounts(context);
    }

    /** Snapchat's API answers an expired and a revoked token alike (401); revocation shows at the refresh. */
    @Override
    public Map<Fault, Class<? extends PlatformException>> expectedErrors() {
        return Map.of(Fault.TRANSIENT, TransientPlatformException.class,
                Fault.RATE_LIMIT, RateLimitExceededException.class,
                Fault.TOKEN_EXPIRED, TokenExpiredException.class,
                Fault.REVOKED, TokenExpiredException.class,
                Fault.PERMANENT, PermanentPlatformException.class);
    }

    /** 120 organizations and 130 profiles, 50 a page when no limit is asked: three pages each. */
    @Override
    public int[] seedSeveralPages() {
        snapchat().seed(120, 2);
        snapchat().seedProfiles(130);
        return new int[] {130, 240};
    }

    @Override
    public void assertAuthorizationUrl(URI url) {
        assertThat(url.getPath()).isEqualTo("/login/oauth2/authorize");
        assertThat(url.getRawQuery()).contains("client_id=" + SnapchatSimulator.CLIENT_ID)
                .contains("response_type=code").contains("scope=scope.a%20scope.b")
                .doesNotContain("code_challenge");
    }

    @Override
    public void assertTokenLifecycle(PlatformConnector connector) {
        assertThat(connector.refreshMode("user")).isEqualTo(RefreshMode.REFRESH_TOKEN);
        assertThat(connector.supportsPkce("user")).isFalse();
        CodeExchange exchange = new CodeExchange(Secret.of(snapchat().issueCode(REDIRECT, MARKETING_SCOPE)), REDIRECT,
                Optional.empty(), "user", UUID.randomUUID());

        TokenGrant grant = connector.exchangeCode(exchange);

        assertThat(grant.accessToken().reveal()).startsWith("0.");
        assertThat(grant.refreshToken()).isPresent();
        assertThat(grant.expiresAt()).contains(bed.clock.instant().plusSeconds(1800));
        assertThat(grant.scopes()).containsExactly(MARKETING_SCOPE);
        assertThatThrownBy(() -> connector.exchangeCode(exchange)).as("a code is single-use")
                .isInstanceOf(ReauthRequiredException.class).hasMessageContaining("invalid_grant");

        TokenGrant refreshed = connector.refresh(stored(grant));
        assertThat(refreshed.accessToken()).isNotEqualTo(grant.accessToken());
        assertThat(refreshed.refreshToken()).isEqualTo(grant.refreshToken());
    }

    @Override
    public boolean hasWebhooks() {
        return false;
    }

    /** Anything posted to Snapchat's route: there is nothing it could be signed with. */
    @Override
    public Delivery signedDelivery() {
        return new Delivery(Map.of("content-type", "application/json"), "{\"event\":\"x\"}".getBytes(), 0);
    }

    private StoredGrant stored(TokenGrant grant) {
        return new StoredGrant(UUID.randomUUID(), UUID.randomUUID(), "user", grant.accessToken(), grant.refreshToken(),
                grant.expiresAt());
    }

    private TokenGrant connected() {
        return connector().exchangeCode(new CodeExchange(Secret.of(snapchat().issueCode(REDIRECT, MARKETING_SCOPE)),
                REDIRECT, Optional.empty(), "user", UUID.randomUUID()));
    }

    @Test
    void the_token_lives_as_long_as_expires_in_says_and_really_ends_then() {
        snapchat().accessTokenLifetime(Duration.ofSeconds(3600));
        TokenGrant grant = connected();
        assertThat(grant.expiresAt()).contains(bed.clock.instant().plusSeconds(3600));
        CallContext holder = new CallContext(UUID.randomUUID(), UUID.randomUUID(), "user", grant.accessToken(), null);
        assertThat(connector().identify(holder).externalId()).isEqualTo(SnapchatSimulator.ME_ID);

        bed.clock.advance(Duration.ofSeconds(3600));
        assertThatThrownBy(() -> connector().identify(holder)).isInstanceOf(TokenExpiredException.class);
    }

    @Test
    void identify_reads_me_id_and_the_display_name_with_or_without_the_me_wrapper() {
        Account wrapped = connector().identify(context);
        snapchat().bareMe(true);
        Account bare = connector().identify(context);

        assertThat(wrapped.externalId()).isEqualTo(SnapchatSimulator.ME_ID);
        assertThat(wrapped.name()).isEqualTo("Jo Sandbox");
        assertThat(bare).isEqualTo(wrapped);
    }

    @Test
    void paging_follows_next_link_to_the_last_page() {
        snapchat().seed(120, 1);

        List<DiscoveredAdAccount> accounts = connector().adAccounts(context);

        assertThat(accounts).hasSize(120).extracting(DiscoveredAdAccount::externalId).doesNotHaveDuplicates()
                .contains(SnapchatSimulator.adAccountId(1, 1), SnapchatSimulator.adAccountId(120, 1));
        assertThat(snapchat().requests(ORGANIZATIONS)).isEqualTo(3);
    }

    @Test
    void a_next_link_on_another_host_is_not_followed_and_the_answer_is_incomplete() {
        snapchat().seed(60, 1);
        snapchat().nextLinkBase("http://snapchat.example.invalid");

        assertThatThrownBy(() -> connector().adAccounts(context)).isInstanceOfSatisfying(PartialDiscoveryException.class,
                e -> {
                    assertThat(e.adAccounts()).hasSize(50);
                    assertThat(e.failed()).singleElement().asString().contains("another host")
                            .contains("snapchat.example.invalid").doesNotContain("cursor");
                });
        assertThat(snapchat().requests(ORGANIZATIONS)).isEqualTo(1);
    }

    @Test
    void a_200_with_a_failed_organization_is_an_error_that_keeps_the_good_organizations_accounts() {
        snapchat().seed(3, 2);
        snapchat().failOrganizations(2);

        assertThatThrownBy(() -> connector().adAccounts(context)).isInstanceOfSatisfying(PartialDiscoveryException.class,
                e -> {
                    assertThat(e.transientFailure()).isFalse();
                    assertThat(e.adAccounts()).extracting(DiscoveredAdAccount::externalId).containsExactly(
                            SnapchatSimulator.adAccountId(1, 1), SnapchatSimulator.adAccountId(1, 2),
                            SnapchatSimulator.adAccountId(3, 1), SnapchatSimulator.adAccountId(3, 2));
                    assertThat(e.failed()).singleElement().asString()
                            .contains(SnapchatSimulator.organizationId(2)).contains("ERROR").contains("E3002");
                });
    }

    @Test
    void lowercase_statuses_are_read_without_case_and_a_lowercase_error_still_fails() {
        snapchat().lowercaseStatuses(true);
        snapchat().seed(2, 2);
        assertThat(connector().adAccounts(context)).hasSize(4);

        snapchat().failOrganizations(1);
        assertThatThrownBy(() -> connector().adAccounts(context)).isInstanceOf(PartialDiscoveryException.class)
                .hasMessageContaining("error");
    }

    @Test
    void ad_accounts_carry_name_currency_timezone_and_any_status() {
        snapchat().seed(1, 3);

        List<DiscoveredAdAccount> accounts = connector().adAccounts(context);

        assertThat(accounts).extracting(DiscoveredAdAccount::currency).containsExactly("EUR", "GBP", "USD");
        assertThat(accounts).extracting(DiscoveredAdAccount::timezone)
                .containsExactly("Europe/Paris", "Asia/Tokyo", "America/Los_Angeles");
        assertThat(accounts).extracting(DiscoveredAdAccount::platformStatus)
                .containsExactly("DISABLED", "PENDING_REVIEW", "ACTIVE");
        assertThat(accounts).extracting(DiscoveredAdAccount::status).containsExactly("disabled", "pending_review", "active");
        assertThat(accounts.get(0).name()).isEqualTo("Sandbox Ad Account 1.1");
    }

    @Test
    void a_refresh_answer_without_a_refresh_token_keeps_the_stored_one() {
        snapchat().refreshAnswer(RefreshAnswer.ABSENT);
        TokenGrant grant = connected();

        TokenGrant first = connector().refresh(stored(grant));
        TokenGrant second = connector().refresh(stored(first));

        assertThat(first.refreshToken()).isEqualTo(grant.refreshToken());
        assertThat(second.refreshToken()).isEqualTo(grant.refreshToken());
        assertThat(second.accessToken()).isNotEqualTo(first.accessToken());
    }

    @Test
    void a_new_refresh_token_in_the_answer_replaces_the_stored_one() {
        snapchat().refreshAnswer(RefreshAnswer.ROTATED);
        TokenGrant grant = connected();

        TokenGrant rotated = connector().refresh(stored(grant));

        assertThat(rotated.refreshToken()).isPresent().isNotEqualTo(grant.refreshToken());
        assertThat(connector().refresh(stored(rotated)).accessToken()).isNotNull();
        assertThatThrownBy(() -> connector().refresh(stored(grant))).as("the rotated-away token is dead")
                .isInstanceOf(ReauthRequiredException.class);
    }

    @Test
    void invalid_grant_on_refresh_means_reauth_and_a_throttled_or_broken_token_endpoint_does_not() {
        TokenGrant grant = connected();
        snapchat().failNext(1, TOKEN, Fault.RATE_LIMIT);
        assertThatThrownBy(() -> connector().refresh(stored(grant))).isInstanceOf(TransientPlatformException.class);
        for (int i = 0; i < 4; i++) { // 503, a 502 HTML page, cut-off JSON in a 200, an empty 504
            snapchat().failNext(1, TOKEN, Fault.TRANSIENT);
            assertThatThrownBy(() -> connector().refresh(stored(grant))).isInstanceOf(TransientPlatformException.class);
            bed.jdbi.useHandle(h -> h.execute("DELETE FROM cmis_platform.circuit_breakers"));
            bed.newProcess(); // five transient failures in a row would open the breaker
        }

        snapchat().revokeUser();
        assertThatThrownBy(() -> connector().refresh(stored(grant))).isInstanceOf(ReauthRequiredException.class)
                .hasMessageContaining("invalid_grant");
    }

    @Test
    void every_401_body_is_an_expired_token_plain_text_enveloped_or_empty() {
        snapchat().revokeUser();
        for (UnauthorizedBody body : UnauthorizedBody.values()) {
            snapchat().unauthorizedBody(body);
            assertThatThrownBy(() -> connector().adAccounts(context)).as(body.name())
                    .isInstanceOf(TokenExpiredException.class);
        }
    }

    @Test
    void a_403_e3002_is_permanent_and_a_429_waits_retry_after_when_it_is_given() {
        snapchat().profileAllowlisted(false);
        assertThatThrownBy(() -> connector().channels(context)).isInstanceOf(PermanentPlatformException.class)
                .isNotInstanceOf(ReauthRequiredException.class).hasMessageContaining("E3002");

        snapchat().retryAfterOnThrottle(7L);
        snapchat().failNext(1, ORGANIZATIONS, Fault.RATE_LIMIT);
        assertThatThrownBy(() -> connector().adAccounts(context)).isInstanceOfSatisfying(RateLimitExceededException.class,
                e -> assertThat(e.retryAfter()).isEqualTo(Duration.ofSeconds(7)));
    }

    @Test
    void profiles_are_skipped_without_the_profile_scope_and_discovered_in_both_shapes_with_it() {
        snapchat().seedProfiles(3);
        CallContext marketingOnly = context(bed, MARKETING_SCOPE);
        assertThat(connector().channels(marketingOnly)).isEmpty();
        assertThat(snapchat().requests("/v1/me/public_profiles")).as("not even asked").isZero();

        List<DiscoveredChannel> wrapped = connector().channels(context);
        snapchat().profilesWrapped(false);
        List<DiscoveredChannel> bare = connector().channels(context);

        assertThat(wrapped).hasSize(3).isEqualTo(bare);
        assertThat(wrapped.get(0).type()).isEqualTo("snapchat_profile");
        assertThat(wrapped.get(0).name()).isEqualTo("Sandbox Profile 1");
        assertThat(wrapped.get(0).metadata()).containsEntry("snap_user_name", "sandbox_profile_1");
    }

    @Test
    void the_client_secret_goes_in_the_form_body_and_never_into_an_error() {
        TokenGrant grant = connected();
        snapchat().failNext(1, TOKEN, Fault.PERMANENT);
        assertThatThrownBy(() -> connector().refresh(stored(grant)))
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain(SnapchatSimulator.CLIENT_SECRET)
                        .doesNotContain(grant.refreshToken().orElseThrow().reveal()));
    }
}
