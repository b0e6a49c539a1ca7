package io.cmis.platform.api;

import java.time.Instant;
import java.util.UUID;

/**
 * One row of {@code credential_reads}: who read which integration's (or channel's) credentials, when,
 * whether the read refreshed the token, and how it ended ({@code served}, {@code needs_reauth},
 * {@code unavailable}). Never the token.
 */
public record CredentialRead(UUID id, UUID orgId, Instant readAt, UUID integrationId, UUID channelId, UUID apiKeyId,
                             String reader, boolean refreshed, String outcome) {
    public static final String SERVED = "served";
    public static final String NEEDS_REAUTH = "needs_reauth";
    public static final String UNAVAILABLE = "unavailable";
}
