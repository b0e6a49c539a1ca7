package io.cmis.platform.platforms;

import com.fasterxml.jackson.databind.JsonNode;
import io.cmis.platform.cli.Json;
import io.cmis.platform.crypto.Secret;
import io.cmis.platform.sandbox.LinkedInSimulator;
import io.cmis.platform.sandbox.Simulator;
import io.cmis.platform.support.PlatformTestBed;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertThrows;

class LinkedInConnectorTest extends PlatformContractTest {
    private static final String ORGANIZATION = "urn:li:organization:5550001";

    @Override
    protected CallContext newContext(PlatformTestBed bed) {
        return memberContext(bed, LinkedInSimulator.MEMBER);
    }

    private static CallContext memberContext(PlatformTestBed bed, String member) {
        return new CallContext(UUID.randomUUID(), UUID.randomUUID(), "member",
                Secret.of(bed.sandbox.linkedin().issueAccessToken(member)), member);
    }

    private LinkedInSimulator linkedin() {
        return bed.sandbox.linkedin();
    }

    @Override
    public Simulator simulator() {
        return linkedin();
    }

    @Override
    public String platform() {
        return "linkedin";
    }

    @Override
    public String dataPath() {
        return "/rest/adAccountUsers";
    }

    @Override
    public List<?> dataCall(PlatformConnector connector, CallContext context) {
        return connector.adAccounts(context);
    }

    /** 250 Pages (300 access entries with the noise) at 100 a page; 230 ad accounts, searched 100 at a time. */
    @Override
    public int[] seedSeveralPages() {
        linkedin().seed(250, 230);
        return new int[] {250, 230};
    }

    @Override
    public void assertAuthorizationUrl(URI url) {
        assertThat(url.getPath()).isEqualTo("/oauth/v2/authorization");
        assertThat(url.getRawQuery()).contains("client_id=" + LinkedInSimulator.CLIENT_ID).contains("response_type=code")
                .contains("scope=scope.a%20scope.b").doesNotContain("code_challenge");
    }

    @Override
    public void assertTokenLifecycle(PlatformConnector connector) {
        String code = linkedin().issueCode("https://app.example/cb", "r_ads r_organization_admin");
        CodeExchange exchange = new CodeExchange(Secret.of(code), "https://app.example/cb", Optional.empty(), "member",
                UUID.randomUUID());

        TokenGrant grant = connector.exchangeCode(exchange);

        assertThat(grant.expiresAt()).contains(bed.clock.instant().plus(Duration.ofDays(60)).minusSeconds(1));
        assertThat(grant.refreshToken()).isPresent();
        assertThat(grant.refreshExpiresAt()).contains(bed.clock.instant().plus(Duration.ofDays(365)).minusSeconds(1));
        assertThat(grant.scopes()).as("comma-separated in the answer").containsExactly("r_ads", "r_organization_admin");
        assertThat(connector.refreshMode("member")).isEqualTo(RefreshMode.REFRESH_TOKEN);
        assertThat(connector.supportsPkce("member")).isFalse();
        assertThatThrownBy(() -> connector.exchangeCode(exchange)).as("a code is single-use")
                .isInstanceOf(PermanentPlatformException.class);

        bed.clock.advance(Duration.ofDays(59));
        StoredGrant stored = new StoredGrant(exchange.orgId(), UUID.randomUUID(), "member", grant.accessToken(),
                grant.refreshToken(), grant.expiresAt());
        TokenGrant refreshed = connector.refresh(stored);
        assertThat(refreshed.refreshToken().orElseThrow().reveal()).isEqualTo(grant.refreshToken().orElseThrow().reveal());
        // what is left of the consent's year, never a new year (the consent answered 1 s short of it)
        assertThat(Duration.between(grant.refreshExpiresAt().orElseThrow(), refreshed.refreshExpiresAt().orElseThrow())
                .abs()).as("the same end as the consent's").isLessThanOrEqualTo(Duration.ofSeconds(1));
        assertThat(refreshed.expiresAt()).contains(bed.clock.instant().plus(Duration.ofDays(60)));

        linkedin().revokeMember();
        assertThatThrownBy(() -> connector.refresh(stored)).isInstanceOf(ReauthRequiredException.class)
                .hasMessageContaining("invalid, expired or revoked");
    }

    @Override
    public Delivery signedDelivery() {
        String body = LinkedInSimulator.socialActions(ORGANIZATION, 5603453321L, 5603453322L, 5603453323L);
        return new Delivery(LinkedInSimulator.signedHeaders(body), body.getBytes(StandardCharsets.UTF_8), 3);
    }

    @Test
    void every_rest_call_carries_the_version_and_the_protocol_headers() {
        connector().channels(context);
        connector().adAccounts(context);
        connector().identify(context);

        assertThat(linkedin().restHeaders()).hasSize(linkedin().requests("/rest/.*")).isNotEmpty()
                .containsOnly("202603|2.0.0");
    }

    @Test
    void a_retired_version_is_a_permanent_configuration_error_that_names_the_key_and_is_not_retried() {
        linkedin().activeVersions("202604", "202605");

        PermanentPlatformException e = assertThrows(PermanentPlatformException.class,
                () -> connector().adAccounts(context));

        assertThat(e.errorCode()).isEqualTo("NONEXISTENT_VERSION");
        assertThat(e.getMessage()).contains("linkedin.api-version", "202603");
        assertThat(linkedin().requests("/rest/.*")).isEqualTo(1);
        assertThat(bed.sleeps).isEmpty();
    }

    @Test
    void health_reports_a_retired_version_critical_with_the_fix_until_a_later_call_succeeds() throws Exception {
        linkedin().activeVersions("202604", "202605");
        assertThrows(PermanentPlatformException.class, () -> connector().adAccounts(context));
        bed.flushCallLog();

        io.cmis.platform.support.CliRun.Result refused = bed.cli().run("--json", "health");
        com.fasterxml.jackson.databind.JsonNode calls = io.cmis.platform.cli.Json.MAPPER.readTree(refused.stdout())
                .at("/components/api_calls/linkedin");
        assertThat(refused.exitCode()).as(refused.stdout()).isEqualTo(2);
        assertThat(calls.get("health").asText()).isEqualTo("critical");
        assertThat(calls.get("configuration_errors").asLong()).isEqualTo(1);
        assertThat(calls.get("fix").asText()).contains("linkedin.api-version", "NONEXISTENT_VERSION");

        linkedin().activeVersions("202603", "202604"); // the operator set a served version
        bed.clock.advance(java.time.Duration.ofMinutes(5));
        connector().adAccounts(context);
        bed.flushCallLog();
        com.fasterxml.jackson.databind.JsonNode after = io.cmis.platform.cli.Json.MAPPER.readTree(
                bed.cli().run("--json", "health").stdout()).at("/components/api_calls/linkedin");
        assertThat(after.get("health").asText()).isNotEqualTo("critical");
        assertThat(after.has("fix")).isFalse();
    }

    @Test
    void administered_pages_are_read_with_start_and_count_to_the_end_and_other_roles_are_left_out() {
        linkedin().seed(250, 1);
        linkedin().refusePage(5550003L);

        List<DiscoveredChannel> pages = connector().channels(context);

        assertThat(pages).hasSize(250).allSatisfy(p -> assertThat(p.type()).isEqualTo("linkedin_page"));
        assertThat(pages).extracting(DiscoveredChannel::externalId).doesNotHaveDuplicates()
                .contains("urn:li:organization:5550007", "urn:li:organization:5550250")
                .allSatisfy(id -> assertThat(Long.parseLong(id.substring(20))).isLessThan(5550251L));
        assertThat(pages.get(0).name()).isEqualTo("Sandbox Page 1");
        assertThat(pages).filteredOn(p -> p.externalId().endsWith(":5550003")).singleElement()
                .satisfies(p -> assertThat(p.name()).as("refused inside a 200 batch: kept, without a name").isNull());
        assertThat(linkedin().requests("/rest/organizationAcls")).isEqualTo(3);
        assertThat(linkedin().requests("/rest/organizations")).as("names in batches of 50").isEqualTo(5);
    }

    @Test
    void ad_accounts_are_searched_by_page_token_to_the_end_never_by_start() {
        linkedin().seed(1, 230);

        assertThat(connector().adAccounts(context)).hasSize(230);

        List<Map<String, String>> searches = linkedin().searches();
        assertThat(searches).hasSize(3).allSatisfy(q -> assertThat(q).containsEntry("q", "search")
                .doesNotContainKey("start"));
        assertThat(searches.get(0)).doesNotContainKey("pageToken");
        assertThat(searches.subList(1, 3)).allSatisfy(q -> assertThat(q).containsKey("pageToken"));
        assertThat(linkedin().requests("/rest/adAccounts/\\d+")).as("nothing read one by one").isZero();
    }

    @Test
    void accounts_a_bare_search_does_not_return_are_read_one_by_one() {
        linkedin().seed(1, 12);
        linkedin().bareSearchListsAll(false);

        assertThat(connector().adAccounts(context)).hasSize(12);
        assertThat(linkedin().requests("/rest/adAccounts/\\d+")).isEqualTo(12);
    }

    @Test
    void ad_accounts_have_no_time_zone_and_carry_currency_status_and_owning_page() {
        linkedin().seed(1, 11);

        List<DiscoveredAdAccount> accounts = connector().adAccounts(context);

        assertThat(accounts).hasSize(11).allSatisfy(a -> assertThat(a.timezone()).isNull());
        DiscoveredAdAccount first = accounts.get(0);
        assertThat(first.externalId()).isEqualTo("urn:li:sponsoredAccount:512000001");
        assertThat(first.currency()).isEqualTo("USD");
        assertThat(first.status()).isEqualTo("active");
        assertThat(first.managerExternalId()).contains("urn:li:organization:5550001");
        assertThat(accounts.get(4).managerExternalId()).as("no reference").isEmpty();
        assertThat(accounts.get(6).status()).isEqualTo("closed");
        assertThat(accounts.get(6).platformStatus()).isEqualTo("CANCELED");
        assertThat(accounts.get(10).status()).as("billing hold").isEqualTo("on_hold");
        assertThat(accounts.get(2).currency()).isEqualTo("EUR");
    }

    @Test
    void the_member_is_identified_from_its_account_roles() {
        assertThat(connector().identify(context).externalId()).isEqualTo(LinkedInSimulator.MEMBER);
    }

    @Test
    void a_revoked_token_65601_needs_reauth_and_an_expired_one_a_refresh_whatever_its_number() {
        linkedin().answerNext("/rest/adAccountUsers", 401, "EXPIRED_ACCESS_TOKEN", 65600,
                "The token used in the request has expired");
        assertThatThrownBy(() -> connector().adAccounts(context)).isInstanceOf(TokenExpiredException.class);
        linkedin().answerNext("/rest/adAccountUsers", 401, "", 0, "Unauthorized");
        assertThatThrownBy(() -> connector().adAccounts(context)).as("another 401: refresh once, then reconnect")
                .isInstanceOf(TokenExpiredException.class);

        linkedin().revokeMember();
        assertThatThrownBy(() -> connector().adAccounts(context)).isInstanceOf(ReauthRequiredException.class)
                .hasMessageContaining("65601");
    }

    @Test
    void a_500_is_asked_once_more_at_once_and_what_follows_decides() {
        linkedin().answerNext("/rest/adAccountUsers", 500, "INTERNAL_SERVER_ERROR", 0, "Internal Server Error");
        linkedin().answerNext("/rest/adAccountUsers", 401, "REVOKED_ACCESS_TOKEN", 65601, "revoked");
        assertThatThrownBy(() -> connector().adAccounts(context)).isInstanceOf(ReauthRequiredException.class);
        assertThat(linkedin().requests("/rest/adAccountUsers")).isEqualTo(2);

        linkedin().answerNext("/rest/adAccountUsers", 500, "INTERNAL_SERVER_ERROR", 0, "Internal Server Error");
        assertThat(connector().adAccounts(context)).hasSize(4);
        assertThat(bed.sleeps).as("the repeat waits for nothing").isEmpty();
    }

    @Test
    void a_daily_limit_lasts_until_midnight_utc_for_that_member_only_and_no_call_is_made_before() {
        linkedin().exhaustDailyQuota(LinkedInSimulator.MEMBER);
        RateLimitExceededException limited = assertThrows(RateLimitExceededException.class,
                () -> connector().adAccounts(context));
        assertThat(limited.retryAfter()).as("12:00 UTC to midnight").isEqualTo(Duration.ofHours(12));
        int after = linkedin().requests();

        bed.clock.advance(Duration.ofHours(11).plusMinutes(59));
        bed.newProcess();
        assertThatThrownBy(() -> connector().adAccounts(context)).isInstanceOf(RateLimitExceededException.class)
                .hasMessageContaining("no call made");
        assertThat(linkedin().requests()).isEqualTo(after);

        CallContext otherOrg = memberContext(bed, "urn:li:person:otherMember");
        assertThat(connector().adAccounts(otherOrg)).as("another member's quota is its own").hasSize(4);

        bed.clock.advance(Duration.ofMinutes(1).plusSeconds(1));
        assertThat(connector().adAccounts(context)).hasSize(4);
    }

    @Test
    void the_validation_challenge_is_answered_with_its_hmac_as_json_and_only_a_uuid_is_answered() throws Exception {
        String challenge = UUID.randomUUID().toString();
        long start = System.nanoTime();
        Optional<String> answer = connector().webhooks().handshake(Map.of("challengeCode", challenge));
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofMillis(500));

        JsonNode json = Json.MAPPER.readTree(answer.orElseThrow());
        assertThat(json.get("challengeCode").asText()).isEqualTo(challenge);
        assertThat(json.get("challengeResponse").asText()).isEqualTo(HexFormat.of().formatHex(
                Signatures.hmacSha256(LinkedInSimulator.CLIENT_SECRET, challenge.getBytes(StandardCharsets.UTF_8))));
        assertThat(connector().webhooks().handshakeContentType()).isEqualTo("application/json");
        assertThat(connector().webhooks().handshake(Map.of("challengeCode", "{\"forged\":1}")))
                .as("not a signing oracle").isEmpty();
        assertThat(connector().webhooks().handshake(Map.of())).isEmpty();
    }

    @Test
    void both_readings_of_the_signature_verify_and_nothing_else_does() {
        String body = LinkedInSimulator.socialActions(ORGANIZATION, 1L);
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        WebhookSupport webhooks = connector().webhooks();

        webhooks.verify(LinkedInSimulator.signedHeaders(body), bytes);
        webhooks.verify(LinkedInSimulator.prefixedSignatureHeaders(body), bytes);

        String ofBody = HexFormat.of().formatHex(Signatures.hmacSha256(LinkedInSimulator.CLIENT_SECRET, bytes));
        String ofPrefixed = LinkedInSimulator.signedHeaders(body).get("x-li-signature");
        for (String wrong : List.of(ofBody, "hmacsha256=" + ofPrefixed, "sha256=" + ofBody, "HMACSHA256=" + ofBody,
                "hmacsha256=", "")) {
            assertThatThrownBy(() -> webhooks.verify(Map.of("x-li-signature", wrong), bytes)).as(wrong)
                    .isInstanceOf(WebhookRejectedException.class);
        }
    }

    @Test
    void a_notification_is_keyed_by_its_own_id_and_routed_by_its_page() {
        List<InboundEvent> first = connector().webhooks().events(LinkedInSimulator.socialActions(ORGANIZATION, 7L, 8L)
                .getBytes(StandardCharsets.UTF_8));
        List<InboundEvent> again = connector().webhooks().events(LinkedInSimulator.socialActions(ORGANIZATION, 8L)
                .getBytes(StandardCharsets.UTF_8));

        assertThat(first).extracting(InboundEvent::eventKey).containsExactly("notification:7", "notification:8");
        assertThat(again.get(0).eventKey()).isEqualTo(first.get(1).eventKey());
        assertThat(first.get(0).routingKey()).contains(ORGANIZATION);
        assertThat(first.get(0).eventType()).isEqualTo("organization_social_action_notifications.comment");
        assertThat(first.get(0).payload().path("notification").path("notificationId").asLong()).isEqualTo(7L);
    }
}
