package io.cmis.platform.tokens;

import org.jdbi.v3.core.Handle;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/** SQL of the token lifecycle: which tokens are due, the per-integration lock, the stored result. */
final class TokenRepository {
    /**
     * An integration whose token (or refresh token, {@code refreshExpiresAt}, null when it has no
     * known end) expires before the sweep's horizon.
     */
    record Due(UUID id, UUID orgId, String platform, String tokenKind, Instant expiresAt, boolean hasRefreshToken,
               Instant refreshExpiresAt) {
        Due(UUID id, UUID orgId, String platform, String tokenKind, Instant expiresAt, boolean hasRefreshToken) {
            this(id, orgId, platform, tokenKind, expiresAt, hasRefreshToken, null);
        }
    }

    /** The row, locked for this transaction, with its ciphertexts. */
    record Locked(UUID id, String platform, String tokenKind, String status, Instant expiresAt, String accessEnc,
                  String refreshEnc, Instant lastRefreshedAt, Instant refreshExpiresAt) {
    }

    /** Ends of one refresh token that differ by less than this are the same end. */
    static final java.time.Duration SAME_END = java.time.Duration.ofHours(1);

    private final Handle handle;

    /** The org transaction it works in, for what else must happen in it (an alert's text). */
    Handle handle() {
        return handle;
    }

    TokenRepository(Handle handle) {
        this.handle = handle;
    }

    List<Due> due(Instant horizon, UUID org, String platform) {
        return handle.createQuery("""
                        SELECT id, org_id, platform, token_kind, token_expires_at, refresh_token_expires_at,
                               refresh_token_enc IS NOT NULL AS has_refresh FROM integrations
                        WHERE status = 'active' AND token_expires_at IS NOT NULL
                          AND (token_expires_at < :horizon OR refresh_token_expires_at < :horizon)
                          AND (CAST(:org AS uuid) IS NULL OR org_id = :org)
                          AND (CAST(:platform AS text) IS NULL OR platform = :platform)
                        ORDER BY token_expires_at
                        """)
                .bind("horizon", Timestamp.from(horizon))
                .bind("org", org)
                .bind("platform", platform)
                .map((rs, ctx) -> new Due(rs.getObject("id", UUID.class), rs.getObject("org_id", UUID.class),
                        rs.getString("platform"), rs.getString("token_kind"),
                        rs.getTimestamp("token_expires_at").toInstant(), rs.getBoolean("has_refresh"),
                        instant(rs.getTimestamp("refresh_token_expires_at"))))
                .list();
    }

    /**
     * Locks the integration for its transaction; no row when another process holds it (it is
     * refreshing it now) and {@code wait} is false. A killed process's lock goes with its connection.
     * Sent with the org's path in one message ({@link io.cmis.platform.tenancy.Tenancy#inOrgLedBy}),
     * so its one parameter (the id) is bound by {@link #bindLock}.
     */
    static String lockStatement(boolean wait) {
        return """
                SELECT id, platform, token_kind, status, token_expires_at, access_token_enc, refresh_token_enc,
                       last_refreshed_at, refresh_token_expires_at
                FROM integrations WHERE id = ?
                """ + (wait ? "FOR UPDATE" : "FOR UPDATE SKIP LOCKED");
    }

    static void bindLock(java.sql.PreparedStatement statement, UUID id) throws java.sql.SQLException {
        statement.setObject(1, id);
    }

    /** The row {@link #lockStatement} locked, if any. */
    static Optional<Locked> locked(java.sql.ResultSet rs) throws java.sql.SQLException {
        if (!rs.next()) {
            return Optional.empty();
        }
        return Optional.of(new Locked(rs.getObject("id", UUID.class), rs.getString("platform"),
                rs.getString("token_kind"), rs.getString("status"), instant(rs.getTimestamp("token_expires_at")),
                rs.getString("access_token_enc"), rs.getString("refresh_token_enc"),
                instant(rs.getTimestamp("last_refreshed_at")), instant(rs.getTimestamp("refresh_token_expires_at"))));
    }

    /**
     * The new tokens, in the transaction that holds the lock: a rotated refresh token commits with its
     * access token. Returns the refresh token's end as stored. An answer's end within
     * {@link #SAME_END} of the stored one keeps the stored one: a remaining life in seconds
     * (LinkedIn's), counted from this clock, moves by the answer's latency, and each new end would
     * be warned about again.
     */
    Instant storeRefreshed(UUID id, String accessEnc, String refreshEnc, Instant expiresAt, Instant refreshExpiresAt,
                           Instant now) {
        return handle.createQuery("""
                        UPDATE integrations
                           SET access_token_enc = :access,
                               refresh_token_enc = coalesce(:refresh, refresh_token_enc),
                               token_expires_at = :expires,
                               refresh_token_expires_at = CASE
                                   WHEN CAST(:refreshExpires AS timestamptz) IS NULL THEN refresh_token_expires_at
                                   WHEN refresh_token_expires_at IS NOT NULL
                                        AND abs(extract(epoch FROM CAST(:refreshExpires AS timestamptz)
                                                - refresh_token_expires_at)) < :sameEndSeconds
                                       THEN refresh_token_expires_at
                                   ELSE CAST(:refreshExpires AS timestamptz) END,
                               last_refreshed_at = :now, refresh_count = refresh_count + 1, updated_at = :now
                         WHERE id = :id
                        RETURNING refresh_token_expires_at
                        """)
                .bind("id", id)
                .bind("access", accessEnc)
                .bind("refresh", refreshEnc)
                .bind("expires", expiresAt == null ? null : Timestamp.from(expiresAt))
                .bind("refreshExpires", refreshExpiresAt == null ? null : Timestamp.from(refreshExpiresAt))
                .bind("sameEndSeconds", SAME_END.toSeconds())
                .bind("now", Timestamp.from(now))
                .map((rs, ctx) -> instant(rs.getTimestamp("refresh_token_expires_at")))
                .findOne().orElse(null);
    }

    private static Instant instant(Timestamp timestamp) {
        return timestamp == null ? null : timestamp.toInstant();
    }

    void needsReauth(UUID id, String reason, Instant now) {
        handle.createUpdate("""
                        UPDATE integrations SET status = 'needs_reauth', status_reason = :reason, updated_at = :now
                        WHERE id = :id AND status = 'active'
                        """)
                .bind("id", id)
                .bind("reason", reason)
                .bind("now", Timestamp.from(now))
                .execute();
    }
}
