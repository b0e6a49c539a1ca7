package io.cmis.platform.sync;

import io.cmis.platform.store.DatabaseOutage;
import io.cmis.platform.tenancy.OrgId;
import io.cmis.platform.tenancy.Tenancy;
import org.jdbi.v3.core.Handle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * One sync at a time per integration, across processes and hosts, through any connection pooler: a
 * lease row claimed with one statement, renewed every third of its length while the sync runs,
 * checked again in the transaction that writes the sync's result, and released at the end. A
 * killed sync's lease expires by itself. No session state and no connection is held meanwhile,
 * so it works behind PgBouncer in transaction mode, where a session advisory lock cannot.
 */
final class SyncLeases implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(SyncLeases.class);

    private final Tenancy tenancy;
    private final Duration length;
    private final String holder;
    private final Map<UUID, OrgId> held = new ConcurrentHashMap<>();
    private final ScheduledExecutorService renewer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "cmis:sync-lease");
        t.setDaemon(true);
        return t;
    });

    SyncLeases(Tenancy tenancy, Duration length, String holder) {
        this.tenancy = tenancy;
        this.length = length;
        this.holder = holder;
        long every = Math.max(1, length.toMillis() / 3);
        renewer.scheduleWithFixedDelay(this::renewAll, every, every, TimeUnit.MILLISECONDS);
    }

    /** Claims the integration; false when another live sync holds it. */
    boolean tryClaim(OrgId org, UUID integrationId) {
        boolean claimed = tenancy.inOrg(org, h -> h.createQuery("""
                        INSERT INTO sync_leases AS l (integration_id, org_id, holder, expires_at)
                        VALUES (:id, :org, :holder, now() + make_interval(secs => :seconds))
                        ON CONFLICT (integration_id) DO UPDATE
                            SET holder = excluded.holder, claimed_at = now(), expires_at = excluded.expires_at
                            WHERE l.expires_at < now()
                        RETURNING integration_id
                        """)
                .bind("id", integrationId).bind("org", org.value()).bind("holder", holder)
                .bind("seconds", seconds())
                .mapTo(UUID.class).findOne().isPresent());
        if (claimed) {
            held.put(integrationId, org);
        }
        return claimed;
    }

    /**
     * In the transaction that writes a sync's result: renews the lease and reports whether this sync
     * still holds it. The row stays locked until that transaction ends, so no one can take it over
     * between this check and the commit.
     */
    boolean stillHeld(Handle orgTransaction, UUID integrationId) {
        return renew(orgTransaction, integrationId) == 1;
    }

    void release(OrgId org, UUID integrationId) {
        held.remove(integrationId);
        try {
            tenancy.inOrgDo(org, h -> h.createUpdate("DELETE FROM sync_leases WHERE integration_id = :id AND holder = :holder")
                    .bind("id", integrationId).bind("holder", holder).execute());
        } catch (RuntimeException e) {
            // It expires by itself; the next sync of this integration waits at most one lease.
            log.warn("could not release the sync lease of integration {}: {}", integrationId, DatabaseOutage.describe(e));
        }
    }

    private void renewAll() {
        held.forEach((id, org) -> {
            try {
                if (tenancy.inOrg(org, h -> renew(h, id)) == 0) {
                    log.warn("sync lease of integration {} was lost (it expired and another sync took it)", id);
                }
            } catch (Throwable e) {
                // A scheduled task that throws is never run again: the leases would lapse mid-sync.
                log.warn("could not renew the sync lease of integration {}: {}", id, DatabaseOutage.describe(e));
            }
        });
    }

    private int renew(Handle h, UUID integrationId) {
        return h.createUpdate("""
                        UPDATE sync_leases SET expires_at = now() + make_interval(secs => :seconds)
                        WHERE integration_id = :id AND holder = :holder
                        """)
                .bind("id", integrationId).bind("holder", holder).bind("seconds", seconds()).execute();
    }

    private double seconds() {
        return length.toMillis() / 1000.0;
    }

    @Override
    public void close() {
        renewer.shutdownNow();
    }
}
