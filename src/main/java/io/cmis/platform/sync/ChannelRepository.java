package io.cmis.platform.sync;

import io.cmis.platform.platforms.DiscoveredChannel;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.mapper.RowMapper;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/** SQL for {@code channels}; runs in the org transaction it is given. */
public final class ChannelRepository {
    private final Handle handle;

    public ChannelRepository(Handle handle) {
        this.handle = handle;
    }

    /** Inserts or refreshes one channel (a removed one comes back active); returns its id and whether it is new. */
    Upserted upsert(UUID orgId, UUID integrationId, String platform, DiscoveredChannel c, Instant now) {
        return handle.createQuery("""
                        INSERT INTO channels (id, org_id, integration_id, platform, type, external_id, name,
                                              parent_external_id, status, last_synced_at, created_at, updated_at)
                        VALUES (:id, :org, :integration, :platform, :type, :externalId, :name, :parent, 'active',
                                :now, :now, :now)
                        ON CONFLICT (org_id, integration_id, type, external_id) DO UPDATE
                           SET name = COALESCE(EXCLUDED.name, channels.name), parent_external_id = EXCLUDED.parent_external_id,
                               status = 'active', removed_at = NULL, last_synced_at = EXCLUDED.last_synced_at,
                               updated_at = CASE WHEN channels.status <> 'active'
                                                   OR channels.name IS DISTINCT FROM COALESCE(EXCLUDED.name, channels.name)
                                                 THEN EXCLUDED.updated_at ELSE channels.updated_at END
                        RETURNING id, (xmax = 0) AS inserted
                        """)
                .bind("id", UUID.randomUUID())
                .bind("org", orgId)
                .bind("integration", integrationId)
                .bind("platform", platform)
                .bind("type", c.type())
                .bind("externalId", c.externalId())
                .bind("name", c.name())
                .bind("parent", c.parentExternalId().orElse(null))
                .bind("now", Timestamp.from(now))
                .map((rs, ctx) -> new Upserted(rs.getObject("id", UUID.class), rs.getBoolean("inserted")))
                .one();
    }

    /**
     * A channel the grant itself proved, at connect or import: active, named when the grant named it,
     * never synced yet (a later sync sets last_synced_at). A name already stored is kept when none was given.
     */
    public void storeKnown(UUID orgId, UUID integrationId, String platform, DiscoveredChannel c, Instant now) {
        handle.createUpdate("""
                        INSERT INTO channels (id, org_id, integration_id, platform, type, external_id, name,
                                              parent_external_id, status, created_at, updated_at)
                        VALUES (:id, :org, :integration, :platform, :type, :externalId, :name, :parent, 'active',
                                :now, :now)
                        ON CONFLICT (org_id, integration_id, type, external_id) DO UPDATE
                           SET name = COALESCE(EXCLUDED.name, channels.name), status = 'active', removed_at = NULL,
                               updated_at = EXCLUDED.updated_at
                        """)
                .bind("id", UUID.randomUUID())
                .bind("org", orgId)
                .bind("integration", integrationId)
                .bind("platform", platform)
                .bind("type", c.type())
                .bind("externalId", c.externalId())
                .bind("name", c.name())
                .bind("parent", c.parentExternalId().orElse(null))
                .bind("now", Timestamp.from(now))
                .execute();
    }

    void storeToken(UUID id, String ciphertext) {
        handle.createUpdate("UPDATE channels SET access_token_enc = :token WHERE id = :id")
                .bind("id", id).bind("token", ciphertext).execute();
    }

    /** Channels of the integration not seen in this sync become removed (kept, with when). */
    int markRemoved(UUID integrationId, List<UUID> seen, Instant now) {
        return handle.createUpdate("""
                        UPDATE channels SET status = 'removed', removed_at = :now, updated_at = :now
                        WHERE integration_id = :integration AND status = 'active' AND NOT (id = ANY(:seen))
                        """)
                .bind("integration", integrationId)
                .bind("seen", seen.toArray(new UUID[0]))
                .bind("now", Timestamp.from(now))
                .execute();
    }

    List<Channel> list(UUID org, String platform) {
        return handle.createQuery("""
                        SELECT id, org_id, integration_id, platform, external_id, type, name, status,
                               parent_external_id, last_synced_at, removed_at
                        FROM channels
                        WHERE (CAST(:org AS uuid) IS NULL OR org_id = :org)
                          AND (CAST(:platform AS text) IS NULL OR platform = :platform)
                        ORDER BY org_id, platform, type, name, id
                        """)
                .bind("org", org)
                .bind("platform", platform)
                .map(MAPPER)
                .list();
    }

    /** One page of an org's channels in id order, after {@code after} (the API's cursor). */
    List<Channel> page(UUID org, String platform, UUID after, int limit) {
        return handle.createQuery("""
                        SELECT id, org_id, integration_id, platform, external_id, type, name, status,
                               parent_external_id, last_synced_at, removed_at
                        FROM channels
                        WHERE org_id = :org
                          AND (CAST(:platform AS text) IS NULL OR platform = :platform)
                          AND (CAST(:after AS uuid) IS NULL OR id > :after)
                        ORDER BY id
                        LIMIT :limit
                        """)
                .bind("org", org)
                .bind("platform", platform)
                .bind("after", after)
                .bind("limit", limit)
                .map(MAPPER)
                .list();
    }

    /** A channel's own token as stored (null ciphertext: it has none), with the integration it belongs to. */
    public record StoredToken(UUID integrationId, String status, String accessTokenEnc) {
    }

    /** The channel's stored token, through the org's view (another org's channel is not found). */
    public java.util.Optional<StoredToken> token(UUID channelId) {
        return handle.createQuery("SELECT integration_id, status, access_token_enc FROM channels WHERE id = :id")
                .bind("id", channelId)
                .map((rs, ctx) -> new StoredToken(rs.getObject("integration_id", UUID.class), rs.getString("status"),
                        rs.getString("access_token_enc")))
                .findOne();
    }

    record Upserted(UUID id, boolean inserted) {
    }

    private static final RowMapper<Channel> MAPPER = (rs, ctx) -> new Channel(rs.getObject("id", UUID.class),
            rs.getObject("org_id", UUID.class), rs.getObject("integration_id", UUID.class), rs.getString("platform"),
            rs.getString("external_id"), rs.getString("type"), rs.getString("name"), rs.getString("status"),
            rs.getString("parent_external_id"), instant(rs.getTimestamp("last_synced_at")),
            instant(rs.getTimestamp("removed_at")));

    static Instant instant(Timestamp t) {
        return t == null ? null : t.toInstant();
    }
}
