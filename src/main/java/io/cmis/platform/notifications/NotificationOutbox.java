package io.cmis.platform.notifications;

import io.cmis.platform.tenancy.OrgId;
import org.jdbi.v3.core.Handle;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.UUID;

/**
 * Alerts for people, written in the same transaction as the change they report. The dedupe key
 * names the cause ({@code needs_reauth:<integration>}, {@code expiry:<integration>:7d:<expiry>}):
 * the same cause never alerts twice.
 */
public final class NotificationOutbox {
    private final Handle handle;

    public NotificationOutbox(Handle handle) {
        this.handle = handle;
    }

    /** Queues the alert unless one with this key exists; true when it was queued now. */
    public boolean enqueue(OrgId org, String kind, String dedupeKey, String message, Instant now) {
        return handle.createUpdate("""
                        INSERT INTO notifications (id, org_id, kind, dedupe_key, message, created_at, next_attempt_at)
                        VALUES (:id, :org, :kind, :key, :message, :now, :now)
                        ON CONFLICT (dedupe_key) DO NOTHING
                        """)
                .bind("id", UUID.randomUUID())
                .bind("org", org == null ? null : org.value())
                .bind("kind", kind)
                .bind("key", dedupeKey)
                .bind("message", message)
                .bind("now", Timestamp.from(now))
                .execute() == 1;
    }
}
