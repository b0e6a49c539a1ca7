package io.cmis.platform.platforms.meta;

import com.fasterxml.jackson.databind.JsonNode;
import io.cmis.platform.http.PlatformRequest;
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
import java.util.Iterator;
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
     * The throttle applies to what the request was about (the app, or one ad account or page);
     * business-use-case headers say when access comes back, in minutes.
     */
    private RateLimitExceededException throttled(PlatformRequest request, PlatformResponse response, int code,
                                                 String codeText, String message) {
        String scope = THROTTLED.contains(code) && code != 32 && code != 613 ? "app" : request.rateLimitScope();
        Duration wait = DEFAULT_THROTTLE_WAIT;
        Optional<JsonNode> buc = response.header("x-business-use-case-usage").map(MetaClassifier::parse);
        if (buc.isPresent()) {
            Iterator<Map.Entry<String, JsonNode>> ids = buc.get().fields();
            while (ids.hasNext()) {
                for (JsonNode entry : ids.next().getValue()) {
                    long minutes = entry.path("estimated_time_to_regain_access").asLong(0);
                    if (minutes > 0) {
                        wait = Duration.ofMinutes(minutes);
                    }
                }
            }
        }
        return new RateLimitExceededException(MetaConnector.ID, request.endpoint(), codeText, scope, wait, message);
    }

    /** BUC keys are bare ids; ad-account scopes are written {@code act_<id>} like the API's own ids. */
    private static String scopeFor(PlatformRequest request, String id) {
        return request.rateLimitScope().startsWith("act_") ? "act_" + id : id;
    }

    @Override
    public List<Usage> usage(PlatformRequest request, PlatformResponse response) {
        List<Usage> usages = new ArrayList<>();
        response.header("x-app-usage").map(MetaClassifier::parse).ifPresent(app ->
                usages.add(new Usage("app", max(app), "X-App-Usage")));
        response.header("x-business-use-case-usage").map(MetaClassifier::parse).ifPresent(buc ->
                buc.fields().forEachRemaining(id -> {
                    double worst = 0;
                    for (JsonNode entry : id.getValue()) {
                        worst = Math.max(worst, max(entry));
                    }
                    usages.add(new Usage(scopeFor(request, id.getKey()), worst, "X-Business-Use-Case-Usage"));
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
