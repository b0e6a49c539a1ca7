package io.cmis.platform.webhooks;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/** Which events {@code webhooks replay} puts back: by id, every dead one, or a platform's since a time. */
public record ReplaySelection(List<UUID> ids, boolean dead, Optional<String> platform, Optional<Instant> since) {
}
