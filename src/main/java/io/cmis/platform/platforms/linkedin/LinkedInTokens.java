package io.cmis.platform.platforms.linkedin;

import com.fasterxml.jackson.databind.JsonNode;
import io.cmis.platform.crypto.Secret;
import io.cmis.platform.platforms.PermanentPlatformException;
import io.cmis.platform.platforms.TokenGrant;

import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * LinkedIn's token answers as grants. Access tokens live 60 days ({@code expires_in}). Refresh
 * tokens (approved partner apps only) live 365 days from the member's consent, and a refresh does
 * not extend that: every answer says what is left ({@code refresh_token_expires_in}), so the end is
 * taken from whichever answer carries it. A token imported with only a refresh token learns its end
 * from its first refresh; without that it would reach day 365 unannounced.
 */
final class LinkedInTokens {
    static final String KIND = "member";
    static final String ENDPOINT = "/oauth/v2/accessToken";

    private LinkedInTokens() {
    }

    /** The tokens of a consent (a redeemed code): the refresh token's end counts from now. */
    static TokenGrant consent(JsonNode answer, Instant now) {
        Optional<Secret> refresh = text(answer, "refresh_token").map(Secret::of);
        Optional<Instant> refreshEnds = refresh.isPresent() ? seconds(answer, "refresh_token_expires_in").map(now::plus)
                : Optional.empty();
        return grant(answer, now, refresh, refreshEnds);
    }

    /**
     * The tokens of a refresh. LinkedIn documents the same refresh token back with what is left of
     * its year; if one ever comes back rotated it is stored (a dropped new token would lose the
     * account). The end is the answer's remaining life from now, whichever token came back.
     */
    static TokenGrant refreshed(JsonNode answer, Instant now, Secret used) {
        Optional<Secret> returned = text(answer, "refresh_token").map(Secret::of);
        Optional<Instant> refreshEnds = seconds(answer, "refresh_token_expires_in").map(now::plus);
        return grant(answer, now, Optional.of(returned.orElse(used)), refreshEnds);
    }

    private static TokenGrant grant(JsonNode answer, Instant now, Optional<Secret> refresh,
                                    Optional<Instant> refreshEnds) {
        String access = text(answer, "access_token").orElseThrow(() -> new PermanentPlatformException(
                LinkedInConnector.ID, ENDPOINT, "no_token", "the token endpoint returned no access_token"));
        return new TokenGrant(Secret.of(access), refresh, seconds(answer, "expires_in").map(now::plus), refreshEnds,
                KIND, scopes(answer.path("scope").asText("")), Optional.empty(), Map.of());
    }

    /** The docs say space-separated; token answers and introspection send commas: either is read. */
    static List<String> scopes(String text) {
        return Arrays.stream(text.split("[,\\s]+")).filter(s -> !s.isEmpty()).toList();
    }

    private static Optional<String> text(JsonNode answer, String field) {
        return Optional.ofNullable(answer.path(field).asText(null)).filter(s -> !s.isBlank());
    }

    private static Optional<Duration> seconds(JsonNode answer, String field) {
        return answer.path(field).canConvertToLong() && answer.path(field).asLong() > 0
                ? Optional.of(Duration.ofSeconds(answer.path(field).asLong())) : Optional.empty();
    }
}
