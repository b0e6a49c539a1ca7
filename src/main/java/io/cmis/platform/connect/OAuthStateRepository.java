package io.cmis.platform.connect;

import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.mapper.RowMapper;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;

/**
 * SQL for {@code oauth_states}. The state itself is never stored, only its SHA-256; so are a start
 * link's token and a browser's binding cookie.
 */
final class OAuthStateRepository {
    private static final String COLUMNS =
            "id, org_id, platform, token_kind, redirect_uri, scopes, pkce_verifier_enc, request_token_secret_enc, expires_at, "
            + "used_at, browser_hash, started_at, return_to";

    private final Handle handle;

    OAuthStateRepository(Handle handle) {
        this.handle = handle;
    }

    void insert(PendingConnect pending, String stateHash, Instant now) {
        handle.createUpdate("""
                        INSERT INTO oauth_states (id, org_id, platform, token_kind, state_hash, pkce_verifier_enc,
                                                  request_token_secret_enc, redirect_uri, scopes, created_at, expires_at)
                        VALUES (:id, :orgId, :platform, :tokenKind, :stateHash, :verifier, :requestTokenSecret,
                                :redirectUri, :scopes, :now, :expiresAt)
                        """)
                .bind("id", pending.id())
                .bind("orgId", pending.orgId())
                .bind("platform", pending.platform())
                .bind("tokenKind", pending.tokenKind())
                .bind("stateHash", stateHash)
                .bind("verifier", pending.verifierEnc())
                .bind("requestTokenSecret", pending.requestTokenSecretEnc())
                .bind("redirectUri", pending.redirectUri())
                .bind("scopes", pending.scopes())
                .bind("now", Timestamp.from(now))
                .bind("expiresAt", Timestamp.from(pending.expiresAt()))
                .execute();
    }

    /**
     * Marks the state used and returns it, in one statement: of two completions at the same
     * moment exactly one gets the row. Empty when unknown or already used.
     */
    Optional<PendingConnect> claim(String stateHash, Instant now) {
        return handle.createQuery("UPDATE oauth_states SET used_at = :now WHERE state_hash = :hash AND used_at IS NULL "
                        + "RETURNING " + COLUMNS)
                .bind("hash", stateHash)
                .bind("now", Timestamp.from(now))
                .map(MAPPER)
                .findOne();
    }

    Optional<PendingConnect> find(String stateHash) {
        return handle.createQuery("SELECT " + COLUMNS + " FROM oauth_states WHERE state_hash = :hash")
                .bind("hash", stateHash)
                .map(MAPPER)
                .findOne();
    }

    /** A browser flow's start link: no state yet, only the hash of the link's token. */
    void insertLink(PendingConnect pending, String startHash, Instant now) {
        handle.createUpdate("""
                        INSERT INTO oauth_states (id, org_id, platform, token_kind, start_hash, redirect_uri, scopes,
                                                  created_at, expires_at, return_to)
                        VALUES (:id, :orgId, :platform, :tokenKind, :startHash, :redirectUri, :scopes, :now, :expiresAt,
                                :returnTo)
                        """)
                .bind("id", pending.id())
                .bind("orgId", pending.orgId())
                .bind("platform", pending.platform())
                .bind("tokenKind", pending.tokenKind())
                .bind("startHash", startHash)
                .bind("returnTo", pending.returnTo())
                .bind("redirectUri", pending.redirectUri())
                .bind("scopes", pending.scopes())
                .bind("now", Timestamp.from(now))
                .bind("expiresAt", Timestamp.from(pending.expiresAt()))
                .execute();
    }

    /**
     * Marks a start link opened and returns its flow, in one statement: a link opens once, in one
     * browser. Empty when unknown, already opened, ended or expired.
     */
    Optional<PendingConnect> openLink(String startHash, String platform, Instant now) {
        return handle.createQuery("""
                        UPDATE oauth_states SET started_at = :now
                         WHERE start_hash = :hash AND platform = :platform AND started_at IS NULL
                           AND used_at IS NULL AND expires_at > :now
                        RETURNING\s""" + COLUMNS)
                .bind("hash", startHash)
                .bind("platform", platform)
                .bind("now", Timestamp.from(now))
                .map(MAPPER)
                .findOne();
    }

    /** The opened link's flow gets its state, its secrets and the hash of its browser's cookie. */
    void bindToBrowser(java.util.UUID id, String stateHash, String browserHash, String verifierEnc,
                       String requestTokenSecretEnc, Instant expiresAt) {
        handle.createUpdate("""
                        UPDATE oauth_states SET state_hash = :stateHash, browser_hash = :browserHash,
                               pkce_verifier_enc = :verifier, request_token_secret_enc = :requestTokenSecret,
                               expires_at = :expiresAt
                         WHERE id = :id""")
                .bind("id", id)
                .bind("stateHash", stateHash)
                .bind("browserHash", browserHash)
                .bind("verifier", verifierEnc)
                .bind("requestTokenSecret", requestTokenSecretEnc)
                .bind("expiresAt", Timestamp.from(expiresAt))
                .execute();
    }

    /** Drops flows that ended or expired more than a day ago. */
    int prune(Instant now) {
        return handle.createUpdate("DELETE FROM oauth_states WHERE expires_at < :cutoff")
                .bind("cutoff", Timestamp.from(now.minusSeconds(86_400)))
                .execute();
    }

    private static final RowMapper<PendingConnect> MAPPER = (rs, ctx) -> new PendingConnect(
            rs.getObject("id", UUID.class), rs.getObject("org_id", UUID.class), rs.getString("platform"),
            rs.getString("token_kind"), rs.getString("redirect_uri"), rs.getString("scopes"),
            rs.getString("pkce_verifier_enc"), rs.getString("request_token_secret_enc"), rs.getTimestamp("expires_at").toInstant(),
            instant(rs, "used_at"), rs.getString("browser_hash"), instant(rs, "started_at"),
            rs.getString("return_to"));

    private static Instant instant(java.sql.ResultSet rs, String column) throws java.sql.SQLException {
        Timestamp t = rs.getTimestamp(column);
        return t == null ? null : t.toInstant();
    }
}
