package io.cmis.platform.api;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The answer of {@code POST /api/v1/.../credentials} and {@code tokens get}: what an application needs
 * to call the platform itself. {@code tokenType} is {@code bearer} (OAuth 2) or {@code oauth1} (X);
 * {@code extra} is what the platform needs beside the token. {@link #toString()} never shows a secret.
 */
public record CredentialsDocument(UUID integrationId, UUID channelId, String platform, String accountId,
                                  String tokenType, String accessToken, Instant expiresAt, List<String> scopes,
                                  boolean refreshed, Map<String, String> extra) {
    @Override
    public String toString() {
        return "CredentialsDocument[integration=" + integrationId + ", channel=" + channelId + ", platform=" + platform
                + ", expiresAt=" + expiresAt + ", refreshed=" + refreshed + ", token=***, extra=" + extra.keySet() + "]";
    }
}
