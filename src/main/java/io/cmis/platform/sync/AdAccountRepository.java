package io.cmis.platform.sync;

import io.cmis.platform.platforms.DiscoveredAdAccount;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.mapper.RowMapper;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/** SQL for {@code ad_accounts}; runs in the org transaction it is given. */
final class AdAccountRepository {
    private final Handle handle;

    AdAccountRepository(Handle handle) {
        this.handle = handle;
    }

    ChannelRepository.Upserted upsert(UUID orgId, UUID integrationId, String platform, DiscoveredAdAccount a, Instant now) {
        return handle.createQuery("""
                        INSERT INTO ad_accounts (id, org_id, integration_id, platform, external_id, name, currency,
                                                 timezone, status, platform_status, is_manager, manager_external_id,
                                                 last_synced_at, created_at, updated_at)
                        VALUES (:id, :org, :integration, :platform, :externalId, :name, :currency, :timezone, :status,
                                :platformStatus, :manager, :managerId, :now, :now, :now)
                        ON CONFLICT (org_id, integration_id, external_id) DO UPDATE
                           SET name = EXCLUDED.name, currency = EXCLUDED.currency, timezone = EXCLUDED.timezone,
                               status = EXCLUDED.status, platform_status = EXCLUDED.platform_status,
                               is_manager = EXCLUDED.is_manager, manager_external_id = EXCLUDED.manager_external_id,
                               removed_at = NULL, last_synced_at = EXCLUDED.last_synced_at,
                               updated_at = CASE WHEN ad_accounts.removed_at IS NOT NULL
                                                   OR ad_accounts.name IS DISTINCT FROM EXCLUDED.name
                                                   OR ad_accounts.status IS DISTINCT FROM EXCLUDED.status
                                                 THEN EXCLUDED.updated_at ELSE ad_accounts.updated_at END
                        RETURNING id, (xmax = 0) AS inserted
                        """)
                .bind("id", UUID.randomUUID())
                .bind("org", orgId)
                .bind("integration", integrationId)
                .bind("platform", platform)
                .bind("externalId", a.externalId())
                .bind("name", a.name())
                .bind("currency", a.currency())
                .bind("timezone", a.timezone())
                .bind("status", a.status())
                .bind("platformStatus", a.platformStatus())
                .bind("manager", a.manager())
                .bind("managerId", a.managerExternalId().orElse(null))
                .bind("now", Timestamp.from(now))
                .map((rs, ctx) -> new ChannelRepository.Upserted(rs.getObject("id", UUID.class), rs.getBoolean("inserted")))
                .one();
    }

    /** The stored, not removed, row of one account: what a sync keeps when it could not read the account in full. */
    Optional<UUID> liveId(UUID integrationId, String externalId) {
        return handle.createQuery("""
                        SELECT id FROM ad_accounts
                        WHERE integration_id = :integration AND external_id = :externalId AND removed_at IS NULL
                        """)
                .bind("integration", integrationId)
                .bind("externalId", externalId)
                .mapTo(UUID.class)
                .findOne();
    }

    /**
     * The stored, not removed, rows of these accounts and of every account stored under them (by
     * {@code manager_external_id}, to any depth): what a sync keeps when it could not read them.
     */
    List<UUID> liveUnder(UUID integrationId, java.util.Collection<String> externalIds) {
        if (externalIds.isEmpty()) {
            return List.of();
        }
        return handle.createQuery("""
                        WITH RECURSIVE kept AS (
                            SELECT id, external_id FROM ad_accounts
                            WHERE integration_id = :integration AND external_id = ANY(:ids) AND removed_at IS NULL
                            UNION
                            SELECT a.id, a.external_id FROM ad_accounts a JOIN kept k ON a.manager_external_id = k.external_id
                            WHERE a.integration_id = :integration AND a.removed_at IS NULL
                        )
                        SELECT id FROM kept
                        """)
                .bind("integration", integrationId)
                .bind("ids", externalIds.toArray(new String[0]))
                .mapTo(UUID.class)
                .list();
    }

    /** Accounts not seen in this sync become removed: status kept as the platform last said, removed_at set. */
    int markRemoved(UUID integrationId, List<UUID> seen, Instant now) {
        return handle.createUpdate("""
                        UPDATE ad_accounts SET status = 'removed', removed_at = :now, updated_at = :now
                        WHERE integration_id = :integration AND removed_at IS NULL AND NOT (id = ANY(:seen))
                        """)
                .bind("integration", integrationId)
                .bind("seen", seen.toArray(new UUID[0]))
                .bind("now", Timestamp.from(now))
                .execute();
    }

    List<AdAccount> list(UUID org, String platform) {
        return handle.createQuery("""
                        SELECT id, org_id, integration_id, platform, external_id, name, currency, timezone, status,
                               platform_status, is_manager, manager_external_id, last_synced_at, removed_at
                        FROM ad_accounts
                        WHERE (CAST(:org AS uuid) IS NULL OR org_id = :org)
                          AND (CAST(:platform AS text) IS NULL OR platform = :platform)
                        ORDER BY org_id, platform, name, id
                        """)
                .bind("org", org)
                .bind("platform", platform)
                .map(MAPPER)
                .list();
    }

    /** One page of an org's ad accounts in id order, after {@code after} (the API's cursor). */
    List<AdAccount> page(UUID org, String platform, UUID after, int limit) {
        return handle.createQuery("""
                        SELECT id, org_id, integration_id, platform, external_id, name, currency, timezone, status,
                               platform_status, is_manager, manager_external_id, last_synced_at, removed_at
                        FROM ad_accounts
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

    private static final RowMapper<AdAccount> MAPPER = (rs, ctx) -> new AdAccount(rs.getObject("id", UUID.class),
            rs.getObject("org_id", UUID.class), rs.getObject("integration_id", UUID.class), rs.getString("platform"),
            rs.getString("external_id"), rs.getString("name"), rs.getString("currency"), rs.getString("timezone"),
            rs.getString("status"), rs.getString("platform_status"), rs.getBoolean("is_manager"),
            rs.getString("manager_external_id"), ChannelRepository.instant(rs.getTimestamp("last_synced_at")),
            ChannelRepository.instant(rs.getTimestamp("removed_at")));
}
