package io.cmis.platform.platforms.google;

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

import java.time.Clock;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.Optional;

/**
 * Google's error rules: OAuth errors ({@code invalid_grant} means re-auth), {@code google.rpc.Status}
 * errors of Google Ads (429 with {@code quotaErrorDetails.retryDelay}), and YouTube's reasons
 * ({@code quotaExceeded} lasts until the daily reset at midnight Pacific time).
 */
final class GoogleClassifier implements ResponseClassifier {
    static final Duration DEFAULT_RETRY = Duration.ofSeconds(60);
    private static final ZoneId QUOTA_RESET_ZONE = ZoneId.of("America/Los_Angeles");

    private final Clock clock;

    GoogleClassifier(Clock clock) {
        this.clock = clock;
    }

    @Override
    public Optional<PlatformException> classify(PlatformRequest request, PlatformResponse response) {
        if (response.success()) {
            return Optional.empty();
        }
        JsonNode body = response.json();
        String endpoint = request.endpoint();
        String status = String.valueOf(response.status());
        JsonNode error = body.path("error");
        if (error.isTextual()) {
            return Optional.of(oauthError(endpoint, error.asText(), body.path("error_description").asText(error.asText())));
        }
        String rpcStatus = error.path("status").asText("");
        String message = error.path("message").asText("HTTP " + status);
        String reason = error.path("errors").path(0).path("reason").asText("");
        String code = reason.isEmpty() ? (rpcStatus.isEmpty() ? status : rpcStatus) : reason;
        if ("quotaExceeded".equals(reason) || "dailyLimitExceeded".equals(reason)) {
            // YouTube's daily quota belongs to the project and comes back at midnight Pacific.
            return Optional.of(new RateLimitExceededException(GoogleConnector.ID, endpoint, code, YOUTUBE_SCOPE,
                    untilQuotaReset(), message));
        }
        if ("rateLimitExceeded".equals(reason) || "userRateLimitExceeded".equals(reason)
                || response.status() == 429 || "RESOURCE_EXHAUSTED".equals(rpcStatus)) {
            return Optional.of(new RateLimitExceededException(GoogleConnector.ID, endpoint, code,
                    exhaustedScope(request, body, message), retryDelay(body).orElse(DEFAULT_RETRY), message));
        }
        if (response.status() == 401) {
            return Optional.of(new TokenExpiredException(GoogleConnector.ID, endpoint, code, message));
        }
        if (response.status() >= 500) {
            return Optional.of(new TransientPlatformException(GoogleConnector.ID, endpoint, code, message));
        }
        return Optional.of(new PermanentPlatformException(GoogleConnector.ID, endpoint, code, message));
    }

    static final String YOUTUBE_SCOPE = "youtube";
    static final String PROJECT_SCOPE = "project";
    static final String CUSTOMER_SCOPE = "customer:";

    /**
     * Google Ads' RESOURCE_EXHAUSTED is per customer unless it says it is the developer token's (the
     * project's, {@code rateScope: DEVELOPER}) quota; a call about no customer holds back that call.
     */
    private static String exhaustedScope(PlatformRequest request, JsonNode body, String message) {
        // GoogleAdsFailure's QuotaErrorDetails says whose quota ran out: rateScope ACCOUNT or DEVELOPER.
        JsonNode rateScope = body.findValue("rateScope");
        boolean developer = rateScope != null && "DEVELOPER".equals(rateScope.asText())
                || message.toLowerCase(java.util.Locale.ROOT).contains("developer token");
        if (developer) {
            return PROJECT_SCOPE;
        }
        return request.declaredScopes().stream().filter(s -> s.startsWith(CUSTOMER_SCOPE)).findFirst()
                .orElse(request.callScope());
    }

    private static PlatformException oauthError(String endpoint, String error, String description) {
        return switch (error) {
            case "invalid_grant" -> new ReauthRequiredException(GoogleConnector.ID, endpoint, error, description);
            case "temporarily_unavailable", "server_error" ->
                    new TransientPlatformException(GoogleConnector.ID, endpoint, error, description);
            default -> new PermanentPlatformException(GoogleConnector.ID, endpoint, error, description);
        };
    }

    /** {@code "retryDelay": "30s"} somewhere in the GoogleAdsFailure details. */
    private static Optional<Duration> retryDelay(JsonNode body) {
        JsonNode delay = body.findValue("retryDelay");
        if (delay == null || !delay.isTextual()) {
            return Optional.empty();
        }
        String text = delay.asText().trim();
        try {
            double seconds = Double.parseDouble(text.endsWith("s") ? text.substring(0, text.length() - 1) : text);
            return Optional.of(Duration.ofMillis((long) (seconds * 1000)));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    private Duration untilQuotaReset() {
        ZonedDateTime now = ZonedDateTime.now(clock.withZone(QUOTA_RESET_ZONE));
        ZonedDateTime midnight = LocalDate.from(now).plusDays(1).atStartOfDay(QUOTA_RESET_ZONE);
        return Duration.between(now, midnight);
    }
}
