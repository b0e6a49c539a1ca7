package io.cmis.platform.platforms.google;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.util.Base64;
import java.util.Optional;

/**
 * Reads the subject of the ID token that came with a token response. Its signature needs no check
 * here: it arrived straight from Google's token endpoint over TLS (OpenID Connect Core 3.1.3.7).
 */
final class IdToken {
    private static final ObjectMapper JSON = new ObjectMapper();

    private IdToken() {
    }

    static Optional<String> subject(String jwt) {
        String[] parts = jwt.split("\\.");
        if (parts.length < 2) {
            return Optional.empty();
        }
        try {
            JsonNode claims = JSON.readTree(Base64.getUrlDecoder().decode(parts[1]));
            return Optional.ofNullable(claims.path("sub").asText(null));
        } catch (IOException | IllegalArgumentException e) {
            return Optional.empty();
        }
    }
}
