package io.cmis.platform.integrations;

import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.mapper.RowMapper;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/** SQL for {@code integrations}. It runs on the handle it is given: RLS decides which org it sees. */
public final class IntegrationRepository {
    static final String TABLE = "integrations";

    private static final String COLUMNS = """
            id, org_id, platform, external_account_id, account_name, token_kind, status, status_reason,
            refresh_token_enc IS NOT NULL AS has_refresh_token, token_expires_at, last_refreshed_at,
            refresh_count, last_synced_at, created_at, updated_at, refresh_token_expires_at
            """;

    private final Handle handle;

    public IntegrationRepository(Handle handle) {
        this.handle = handle;
    }

    /**
     * The id of the row for (org, platform, account), inserted when missing; locked until commit. A
     * connect: {@code connected_at} becomes {@code now}, and a revocation that happened before it
     * never revokes this grant.
     */
    public UpsertResult upsertAccount(UUID newId, UUID orgId, String platform, String externalAccountId,
                                      Instant expiresAt, Instant now) {
        return handle.createQuery("""
                        INSERT INTO integrations (id, org_id, platform, external_account_id, status,
                                                  token_expires_at, created_at, updated_at, connected_at)
                        VALUES (:id, :orgId, :platform, :externalAccountId, 'active', :expiresAt, :now, :now, :now)
                        ON CONFLICT (org_id, platform, external_account_id) DO UPDATE
                           SET status = 'active', status_reason = NULL,
                               token_expires_at = EXCLUDED.token_expires_at, updated_at = EXCLUDED.updated_at,
                               connected_at = EXCLUDED.connected_at
                        RETURNING id, (xmax = 0) AS inserted
                        """)
                .bind("id", newId)
                .bind("orgId", orgId)
                .bind("platform", platform)
                .bind("externalAccountId", externalAccountId)
                .bind("expiresAt", timestamp(expiresAt))
                .bind("now", timestamp(now))
                .map((rs, ctx) -> new UpsertResult(rs.getObject("id", UUID.class), rs.getBoolean("inserted")))
                .one();
    }

    public void storeTokens(UUID id, String accessTokenEnc, String refreshTokenEnc) {
        handle.createUpdate("""
                        UPDATE integrations SET access_token_enc = :access, refresh_token_enc = :refresh
                        WHERE id = :id
                        """)
                .bind("id", id)
                .bind("access", accessTokenEnc)
                .bind("refresh", refreshTokenEnc)
                .execute();
    }

    /** The OAuth 1.0a token secret (X); null for every OAuth 2 token, clearing one a reconnect left behind. */
    public void storeTokenSecret(UUID id, String tokenSecretEnc) {
        handle.createUpdate("UPDATE integrations SET token_secret_enc = :secret WHERE id = :id")
                .bind("id", id)
                .bind("secret", tokenSecretEnc)
                .execute();
    }

    /** What a connect flow learned besides the tokens; the status goes back to active. */
    public void storeDetails(UUID id, String accountName, String tokenKind, String scopes, Instant refreshExpiresAt,
                             String metadataJson) {
        handle.createUpdate("""
                        UPDATE integrations
                           SET account_name = :name, token_kind = :kind, scopes = :scopes,
                               refresh_token_expires_at = :refreshExpiresAt, metadata = CAST(:metadata AS jsonb)
                         WHERE id = :id
                        """)
                .bind("id", id)
                .bind("name", accountName)
                .bind("kind", tokenKind)
                .bind("scopes", scopes)
                .bind("refreshExpiresAt", timestamp(refreshExpiresAt))
                .bind("metadata", metadataJson)
                .execute();
    }

    /**
     * A reconnect ends the re-auth episode: its alerts (sent or not) go, so a later loss of the grant
     * alerts again.
     */
    public int clearReauthNotifications(UUID id) {
        return handle.createUpdate("""
                        DELETE FROM notifications WHERE dedupe_key LIKE :prefix
                        """)
                .bind("prefix", "needs_reauth:" + id + "%")
                .execute();
    }

    /** Whether the org this handle is in has the account; RLS scopes it to that org. */
    public boolean exists(String platform, String externalAccountId) {
        return handle.createQuery("""
                        SELECT EXISTS (SELECT 1 FROM integrations
                                        WHERE platform = :platform AND external_account_id = :externalAccountId)
                        """)
                .bind("platform", platform)
                .bind("externalAccountId", externalAccountId)
                .mapTo(Boolean.class)
                .one();
    }

    public Optional<Integration> find(UUID id) {
        return handle.createQuery("SELECT " + COLUMNS + " FROM integrations WHERE id = :id")
                .bind("id", id)
                .map(MAPPER)
                .findOne();
    }

    public List<Integration> list(IntegrationFilter filter) {
        return handle.createQuery("SELECT " + COLUMNS + """
                         FROM integrations
                        WHERE (CAST(:org AS uuid) IS NULL OR org_id = :org)
                          AND (CAST(:platform AS text) IS NULL OR platform = :platform)
                          AND (CAST(:status AS text) IS NULL OR status = :status)
                        ORDER BY org_id, platform, created_at, id
                        """)
                .bind("org", filter.org().map(o -> o.value()).orElse(null))
                .bind("platform", filter.platform().orElse(null))
                .bind("status", filter.status().map(IntegrationStatus::dbValue).orElse(null))
                .map(MAPPER)
                .list();
    }

    /** One page of the filter's rows in id order, after {@code after} (the API's cursor). */
    public List<Integration> page(IntegrationFilter filter, UUID after, int limit) {
        return handle.createQuery("SELECT " + COLUMNS + """
                         FROM integrations
                        WHERE (CAST(:org AS uuid) IS NULL OR org_id = :org)
                          AND (CAST(:platform AS text) IS NULL OR platform = :platform)
                          AND (CAST(:status AS text) IS NULL OR status = :status)
                          AND (CAST(:after AS uuid) IS NULL OR id > :after)
                        ORDER BY id
                        LIMIT :limit
                        """)
                .bind("org", filter.org().map(o -> o.value()).orElse(null))
                .bind("platform", filter.platform().orElse(null))
                .bind("status", filter.status().map(IntegrationStatus::dbValue).orElse(null))
                .bind("after", after)
                .bind("limit", limit)
                .map(MAPPER)
                .list();
    }

    /** Sets the status; returns false when the row is not visible (wrong org, or no such row). */
    public boolean setStatus(UUID id, IntegrationStatus status, String reason, Instant now) {
        return handle.createUpdate("""
                        UPDATE integrations SET status = :status, status_reason = :reason, updated_at = :now
                        WHERE id = :id
                        """)
                .bind("id", id)
                .bind("status", status.dbValue())
                .bind("reason", reason)
                .bind("now", timestamp(now))
                .execute() == 1;
    }

    /** The org a row belongs to; meant for the system path, which sees every org. */
    public Optional<UUID> orgOf(UUID id) {
        return handle.createQuery("SELECT org_id FROM integrations WHERE id = :id")
                .bind("id", id)
                .mapTo(UUID.class)
                .findOne();
    }

    public record UpsertResult(UUID id, boolean inserted) {
    }

    private static Timestamp timestamp(Instant instant) {
        return instant == null ? null : Timestamp.from(instant);
    }

    private static Instant instant(ResultSet rs, String column) throws SQLException {
        Timestamp t = rs.getTimestamp(column);
        return t == null ? null : t.toInstant();
    }

    private static final RowMapper<Integration> MAPPER = (rs, ctx) -> new Integration(
            rs.getObject("id", UUID.class),
            rs.getObject("org_id", UUID.class),
            rs.getString("platform"),
            rs.getString("external_account_id"),
            rs.getString("account_name"),
            rs.getString("token_kind"),
            IntegrationStatus.fromDb(rs.getString("status")),
            rs.getString("status_reason"),
            rs.getBoolean("has_refresh_token"),
            instant(rs, "token_expires_at"),
            instant(rs, "last_refreshed_at"),
            rs.getInt("refresh_count"),
            instant(rs, "last_synced_at"),
            instant(rs, "created_at"),
            instant(rs, "updated_at"),
            instant(rs, "refresh_token_expires_at"));
}
