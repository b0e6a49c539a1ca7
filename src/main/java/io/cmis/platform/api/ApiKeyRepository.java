package io.cmis.platform.api;

import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.mapper.RowMapper;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/** SQL for {@code api_keys}. It runs on the handle it is given: RLS decides which org it sees. */
final class ApiKeyRepository {
    private static final String COLUMNS = "id, org_id, name, prefix, scopes, created_at, created_by, last_used_at, revoked_at";

    /** A key's use is written at most this often: a write per request would cost every request a round trip. */
    static final java.time.Duration TOUCH_EVERY = java.time.Duration.ofMinutes(1);

    private final Handle handle;

    ApiKeyRepository(Handle handle) {
        this.handle = handle;
    }

    void insert(ApiKey key, String keyHash) {
        handle.createUpdate("""
                        INSERT INTO api_keys (id, org_id, name, prefix, key_hash, scopes, created_at, created_by)
                        VALUES (:id, :org, :name, :prefix, :hash, :scopes, :createdAt, :createdBy)
                        """)
                .bind("id", key.id())
                .bind("org", key.orgId())
                .bind("name", key.name())
                .bind("prefix", key.prefix())
                .bind("hash", keyHash)
                .bind("scopes", key.scopes().toArray(new String[0]))
                .bind("createdAt", Timestamp.from(key.createdAt()))
                .bind("createdBy", key.createdBy())
                .execute();
    }

    List<ApiKey> list(UUID org) {
        return handle.createQuery("SELECT " + COLUMNS + """
                         FROM api_keys
                        WHERE (CAST(:org AS uuid) IS NULL OR org_id = :org)
                        ORDER BY org_id, created_at, id
                        """)
                .bind("org", org)
                .map(MAPPER)
                .list();
    }

    Optional<ApiKey> find(UUID id) {
        return handle.createQuery("SELECT " + COLUMNS + " FROM api_keys WHERE id = :id")
                .bind("id", id)
                .map(MAPPER)
                .findOne();
    }

    /** What authenticating a key needs: the key and its stored hash. */
    Optional<Stored> forAuthentication(UUID id) {
        return handle.createQuery("SELECT " + COLUMNS + ", key_hash FROM api_keys WHERE id = :id")
                .bind("id", id)
                .map((rs, ctx) -> new Stored(MAPPER.map(rs, ctx), rs.getString("key_hash")))
                .findOne();
    }

    record Stored(ApiKey key, String hash) {
    }

    /** Records that the key was used at {@code now}, unless that was recorded less than a minute ago. */
    void touch(UUID id, Instant now) {
        handle.createUpdate("""
                        UPDATE api_keys SET last_used_at = :now
                         WHERE id = :id AND (last_used_at IS NULL OR last_used_at < :stale)
                        """)
                .bind("id", id)
                .bind("now", Timestamp.from(now))
                .bind("stale", Timestamp.from(now.minus(TOUCH_EVERY)))
                .execute();
    }

    /** True when this call revoked it; false when it already was revoked (or is not visible). */
    boolean revoke(UUID id, Instant now) {
        return handle.createUpdate("UPDATE api_keys SET revoked_at = :now WHERE id = :id AND revoked_at IS NULL")
                .bind("id", id)
                .bind("now", Timestamp.from(now))
                .execute() == 1;
    }

    private static Instant instant(Timestamp t) {
        return t == null ? null : t.toInstant();
    }

    private static final RowMapper<ApiKey> MAPPER = (rs, ctx) -> new ApiKey(rs.getObject("id", UUID.class),
            rs.getObject("org_id", UUID.class), rs.getString("name"), rs.getString("prefix"),
            Arrays.asList((String[]) rs.getArray("scopes").getArray()), instant(rs.getTimestamp("created_at")),
            rs.getString("created_by"), instant(rs.getTimestamp("last_used_at")), instant(rs.getTimestamp("revoked_at")));
}
