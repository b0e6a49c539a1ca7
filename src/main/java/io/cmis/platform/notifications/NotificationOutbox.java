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

    /** Newest first; across orgs when run on the system path. */
    public java.util.List<Notification> list(java.util.Optional<String> status, int limit) {
        return handle.createQuery("""
                        SELECT id, org_id, kind, message, status, attempts, last_error, created_at, delivered_at
                        FROM notifications
                        WHERE (:status::text IS NULL OR status = :status)
                        ORDER BY created_at DESC, id
                        LIMIT :limit
                        """)
                .bind("status", status.orElse(null))
                .bind("limit", limit)
                .map((rs, ctx) -> new Notification(rs.getObject("id", UUID.class), rs.getObject("org_id", UUID.class),
                        rs.getString("kind"), rs.getString("message"), rs.getString("status"), rs.getInt("attempts"),
                        rs.getString("last_error"), rs.getTimestamp("created_at").toInstant(),
                        rs.getTimestamp("delivered_at") == null ? null : rs.getTimestamp("delivered_at").toInstant()))
                .list();
    }
}
