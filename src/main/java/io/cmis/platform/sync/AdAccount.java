package io.cmis.platform.sync;

import java.time.Instant;
import java.util.UUID;

/** A synced ad account. */
public record AdAccount(UUID id, UUID orgId, UUID integrationId, String platform, String externalId, String name,
                        String currency, String timezone, String status, String platformStatus, boolean manager,
                        String managerExternalId, Instant lastSyncedAt, Instant removedAt) {
}
