package io.cmis.platform.platforms.meta;

import io.cmis.platform.http.PlatformRequest;
import io.cmis.platform.http.PlatformResponse;
import io.cmis.platform.platforms.RateLimitExceededException;
import io.cmis.platform.platforms.RateLimitExceededException.Limit;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/** Which scope each of Meta's throttling answers holds back. */
class MetaClassifierTest {
    private final UUID integration = UUID.randomUUID();
    private final PlatformRequest request = PlatformRequest.get("meta", "http://127.0.0.1", "/{version}/me/adaccounts")
            .path("version", "v25.0").context(UUID.randomUUID(), integration).build();

    @Test
    void an_app_throttle_holds_back_the_app() {
        assertThat(limits(error(4), Map.of())).extracting(Limit::scope).containsExactly("app");
    }

    @Test
    void a_user_throttle_holds_back_that_users_integration() {
        assertThat(limits(error(17), Map.of())).extracting(Limit::scope).containsExactly("integration:" + integration);
    }

    @Test
    void a_business_use_case_throttle_holds_back_each_object_it_names_and_this_call_for_as_long() {
        String buc = "{\"1000000001\":[{\"type\":\"ads_management\",\"estimated_time_to_regain_access\":7}],"
                + "\"112233\":[{\"type\":\"pages\",\"estimated_time_to_regain_access\":2}],"
                + "\"999\":[{\"type\":\"ads_insights\",\"estimated_time_to_regain_access\":0}]}";
        List<Limit> limits = limits(error(80004), Map.of("x-business-use-case-usage", List.of(buc)));
        assertThat(limits).containsExactlyInAnyOrder(
                Limit.fixed("ad_account:act_1000000001", Duration.ofMinutes(7)),
                Limit.fixed("page:112233", Duration.ofMinutes(2)),
                Limit.fixed("call:" + integration + ":/{version}/me/adaccounts", Duration.ofMinutes(7)));
    }

    @Test
    void a_business_use_case_throttle_naming_no_object_holds_back_the_integration_never_the_app() {
        assertThat(limits(error(80000), Map.of())).extracting(Limit::scope).containsExactly("integration:" + integration);
    }

    private List<Limit> limits(String body, Map<String, List<String>> headers) {
        return ((RateLimitExceededException) new MetaClassifier().classify(request,
                new PlatformResponse(400, headers, body)).orElseThrow()).limits();
    }

    private static String error(int code) {
        return "{\"error\":{\"message\":\"throttled\",\"type\":\"OAuthException\",\"code\":" + code + "}}";
    }
}
