package io.cmis.platform.integrations;

import java.time.Instant;
import java.util.UUID;

/** One connected platform account of one org, as shown to operators: never its tokens. */
public record Integration(
        UUID id,
        UUID orgId,
        String platform,
        String externalAccountId,
        String accountName,
        String tokenKind,
        IntegrationStatus status,
        String statusReason,
        boolean hasRefreshToken,
        Instant tokenExpiresAt,
        Instant lastRefreshedAt,
        int refreshCount,
        Instant lastSyncedAt,
        Instant createdAt,
        Instant updatedAt,
        /** The refresh token's fixed end (LinkedIn, TikTok account holders); null when none is known. */
        Instant refreshTokenExpiresAt) {
}
