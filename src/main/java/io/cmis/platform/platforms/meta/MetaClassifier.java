package io.cmis.platform.platforms.meta;

import com.fasterxml.jackson.databind.JsonNode;
import io.cmis.platform.http.PlatformRequest;
import io.cmis.platform.http.RateLimitScopes;
import io.cmis.platform.platforms.RateLimitExceededException.Limit;
import io.cmis.platform.http.PlatformResponse;
import io.cmis.platform.http.ResponseClassifier;
import io.cmis.platform.platforms.PermanentPlatformException;
import io.cmis.platform.platforms.PlatformException;
import io.cmis.platform.platforms.RateLimitExceededException;
import io.cmis.platform.platforms.ReauthRequiredException;
import io.cmis.platform.platforms.TokenExpiredException;
import io.cmis.platform.platforms.TransientPlatformException;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Meta's error rules: the {@code error.code} and {@code error_subcode} of the Graph error envelope
 * decide, not the HTTP status (most errors come as 400).
 */
final class MetaClassifier implements ResponseClassifier {
    private static final Set<Integer> THROTTLED = Set.of(4, 17, 32, 341, 613);
    /** Without a hint from the platform: app-level limits clear within the hour; wait a few minutes. */
    static final Duration DEFAULT_THROTTLE_WAIT = Duration.ofMinutes(5);

    @Override
    public Optional<PlatformException> classify(PlatformRequest request, PlatformResponse response) {
        JsonNode error = response.json().path("error");
        if (response.success() && error.isMissingNode()) {
            return Optional.empty();
        }
        if (error.isMissingNode()) {
            return Optional.of(response.status() >= 500
                    ? new TransientPlatformException(MetaConnector.ID, request.endpoint(), String.valueOf(response.status()),
                    "HTTP " + response.status())
                    : new PermanentPlatformException(MetaConnector.ID, request.endpoint(), String.valueOf(response.status()),
                    "HTTP " + response.status() + " without an error body"));
        }
        int code = error.path("code").asInt(-1);
        int subcode = error.path("error_subcode").asInt(0);
        String codeText = subcode == 0 ? String.valueOf(code) : code + "/" + subcode;
        String message = error.path("message").asText("no message");
        String endpoint = request.endpoint();
        if (code == 190 && subcode == 463) {
            return Optional.of(new TokenExpiredException(MetaConnector.ID, endpoint, codeText, message));
        }
        if (code == 190 || code == 102) {
            return Optional.of(new ReauthRequiredException(MetaConnector.ID, endpoint, codeText, message));
        }
        if (THROTTLED.contains(code) || (code >= 80000 && code <= 80014)) {
            return Optional.of(throttled(request, response, code, codeText, message));
        }
        if (code == 1 || code == 2 || response.status() >= 500) {
            return Optional.of(new TransientPlatformException(MetaConnector.ID, endpoint, codeText, message));
        }
        return Optional.of(new PermanentPlatformException(MetaConnector.ID, endpoint, codeText, message));
    }

    /**
     * The narrowest scope Meta's answer names. App throttles (4, 341) hold back the app; a user's
     * (17) that user's integration; a business-use-case throttle (80000-80014, 32, 613) each business
     * object its {@code X-Business-Use-Case-Usage} header names, for its
     * {@code estimated_time_to_regain_access} minutes, and this very call of this integration for
     * as long, so the other calls of the integration (its pages, when an ad account is throttled)
     * and every other org go on. A throttle naming no object holds back the integration, never the app.
     */
    private RateLimitExceededException throttled(PlatformRequest request, PlatformResponse response, int code,
                                                 String codeText, String message) {
        List<Limit> limits = new ArrayList<>();
        if (code == 4 || code == 341) {
            limits.add(Limit.fixed(RateLimitScopes.APP, DEFAULT_THROTTLE_WAIT));
        } else if (code == 17) {
            limits.add(Limit.fixed(userScope(request), DEFAULT_THROTTLE_WAIT));
        } else {
            limits.addAll(businessObjects(response));
            Duration longest = limits.stream().map(Limit::duration).max(Duration::compareTo).orElse(DEFAULT_THROTTLE_WAIT);
            limits.add(Limit.fixed(limits.isEmpty() ? userScope(request) : request.callScope(), longest));
        }
        return new RateLimitExceededException(MetaConnector.ID, request.endpoint(), codeText, limits, message);
    }

    /** The objects a business-use-case header says are throttled (or, if it says of none, all it names). */
    private static List<Limit> businessObjects(PlatformResponse response) {
        Optional<JsonNode> buc = response.header("x-business-use-case-usage").map(MetaClassifier::parse);
        List<Limit> throttled = new ArrayList<>();
        List<Limit> named = new ArrayList<>();
        buc.ifPresent(header -> header.fields().forEachRemaining(id -> {
            long minutes = 0;
            String type = "";
            for (JsonNode entry : id.getValue()) {
                minutes = Math.max(minutes, entry.path("estimated_time_to_regain_access").asLong(0));
                type = entry.path("type").asText(type);
            }
            String scope = objectScope(type, id.getKey());
            named.add(Limit.fixed(scope, Duration.ofMinutes(Math.max(1, minutes))));
            if (minutes > 0) {
                throttled.add(Limit.fixed(scope, Duration.ofMinutes(minutes)));
            }
        }));
        return throttled.isEmpty() ? named : throttled;
    }

    /** Ad accounts are written {@code act_<id>} like the API's own ids; pages and Instagram accounts bare. */
    static String objectScope(String bucType, String id) {
        String bare = id.startsWith("act_") ? id.substring(4) : id;
        if (bucType.startsWith("ads_") || bucType.equals("custom_audience")) {
            return RateLimitScopes.object("ad_account", "act_" + bare);
        }
        if (bucType.equals("instagram")) {
            return RateLimitScopes.object("instagram", bare);
        }
        if (bucType.equals("pages") || bucType.equals("leadgen") || bucType.equals("messenger")) {
            return RateLimitScopes.object("page", bare);
        }
        return RateLimitScopes.object("object", bare);
    }

    private static String userScope(PlatformRequest request) {
        return request.integrationId() != null ? RateLimitScopes.integration(request.integrationId())
                : request.callScope();
    }

    @Override
    public List<Usage> usage(PlatformRequest request, PlatformResponse response) {
        List<Usage> usages = new ArrayList<>();
        response.header("x-app-usage").map(MetaClassifier::parse).ifPresent(app ->
                usages.add(new Usage("app", max(app), "X-App-Usage")));
        response.header("x-business-use-case-usage").map(MetaClassifier::parse).ifPresent(buc ->
                buc.fields().forEachRemaining(id -> {
                    double worst = 0;
                    String type = "";
                    for (JsonNode entry : id.getValue()) {
                        worst = Math.max(worst, max(entry));
                        type = entry.path("type").asText(type);
                    }
                    usages.add(new Usage(objectScope(type, id.getKey()), worst, "X-Business-Use-Case-Usage"));
                }));
        return usages;
    }

    private static double max(JsonNode usage) {
        return Math.max(usage.path("call_count").asDouble(0),
                Math.max(usage.path("total_time").asDouble(0), usage.path("total_cputime").asDouble(0)));
    }

    private static JsonNode parse(String header) {
        return new PlatformResponse(200, Map.of(), header).json();
    }
}
