package io.cmis.platform.api;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

/** An API key as listed: its id and display prefix, never the key. */
public record ApiKey(UUID id, UUID orgId, String name, String prefix, List<String> scopes, Instant createdAt,
                     String createdBy, Instant lastUsedAt, Instant revokedAt) {
    public boolean revoked() {
        return revokedAt != null;
    }
}
