package io.cmis.platform.webhooks;

import org.jdbi.v3.core.Handle;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Finds the orgs an event belongs to from the platform object it names: a connected account
 * (Meta user, TikTok open id or advertiser, Google customer) first, then a synced channel (page,
 * Instagram account, YouTube channel) or ad account. Runs on the system path, for a whole batch.
 */
final class EventRouter {
    /** One integration an event concerns; {@code account} when it names the connected account itself. */
    record Match(UUID orgId, UUID integrationId, boolean account) {
    }

    private final Handle handle;

    EventRouter(Handle handle) {
        this.handle = handle;
    }

    /** For each (platform, routing key) given, its matches, account matches first; absent when none. */
    Map<String, List<Match>> route(String platform, Collection<String> keys) {
        Map<String, List<Match>> out = new HashMap<>();
        if (keys.isEmpty()) {
            return out;
        }
        handle.createQuery("""
                        SELECT external_account_id AS key, org_id, id AS integration_id, 1 AS rank
                        FROM integrations WHERE platform = :platform AND external_account_id = ANY(:keys)
                        UNION ALL
                        SELECT DISTINCT external_id, org_id, integration_id, 2
                        FROM channels WHERE platform = :platform AND external_id = ANY(:keys)
                        UNION ALL
                        SELECT DISTINCT external_id, org_id, integration_id, 3
                        FROM ad_accounts WHERE platform = :platform AND external_id = ANY(:keys)
                        ORDER BY rank, org_id, integration_id
                        """)
                .bind("platform", platform)
                .bind("keys", keys.toArray(String[]::new))
                .map((rs, ctx) -> {
                    String key = rs.getString("key");
                    Match match = new Match(rs.getObject("org_id", UUID.class),
                            rs.getObject("integration_id", UUID.class), rs.getInt("rank") == 1);
                    List<Match> matches = out.computeIfAbsent(key, k -> new ArrayList<>());
                    if (matches.stream().noneMatch(m -> m.integrationId().equals(match.integrationId()))) {
                        matches.add(match);
                    }
                    return match;
                })
                .list();
        return out;
    }
}
