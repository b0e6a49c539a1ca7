package io.cmis.platform.sync;

import java.time.Instant;
import java.util.UUID;

/** A synced page, Instagram business account, YouTube channel or TikTok account; never its token. */
public record Channel(UUID id, UUID orgId, UUID integrationId, String platform, String externalId, String type,
                      String name, String status, String parentExternalId, Instant lastSyncedAt, Instant removedAt) {
}
