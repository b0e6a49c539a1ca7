package io.cmis.platform.sync;

import io.cmis.platform.store.DatabaseOutage;
import io.cmis.platform.tenancy.OrgId;
import io.cmis.platform.tenancy.Tenancy;
import org.jdbi.v3.core.Handle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * One sync at a time per integration, across processes and hosts, through any connection pooler: a
 * lease row claimed with one statement, renewed every third of its length while the sync runs,
 * checked and released in the transaction that writes the sync's result. A
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

    /**
     * What claiming found: whether this sync holds the integration now, and when it was last synced
     * (read by the same statement: a run that started before then lost a race with another run).
     */
    record Claim(boolean claimed, Optional<Instant> lastSynced) {
    }

    /**
     * Two statements, so the second has a snapshot of its own: it sees the result of a sync whose
     * lease ended while the insert waited for it (one snapshot for both would miss it, and the
     * integration would be synced twice). A holder names one process, so the lease is ours exactly
     * when its row names us.
     */
    private static final String CLAIM = """
            INSERT INTO sync_leases AS l (integration_id, org_id, holder, expires_at)
            VALUES (?, ?, ?, now() + make_interval(secs => ?))
            ON CONFLICT (integration_id) DO UPDATE
                SET holder = excluded.holder, claimed_at = now(), expires_at = excluded.expires_at
                WHERE l.expires_at < now();
            SELECT coalesce((SELECT holder = ? FROM sync_leases WHERE integration_id = ?), false) AS claimed,
                   (SELECT last_synced_at FROM integrations WHERE id = ?) AS last_synced_at
            """;

    /**
     * Claims the integration in one round trip (its statements in one transaction of their own, with
     * its org's path): a sync of 1,000 integrations makes 1,000 of these.
     */
    Claim tryClaim(OrgId org, UUID integrationId) {
        Claim claim = tenancy.inOrgStatement(org, CLAIM, statement -> {
            statement.setObject(1, integrationId);
            statement.setObject(2, org.value());
            statement.setString(3, holder);
            statement.setDouble(4, seconds());
            statement.setString(5, holder);
            statement.setObject(6, integrationId);
            statement.setObject(7, integrationId);
        }, rows -> {
            rows.next();
            return new Claim(rows.getBoolean("claimed"),
                    Optional.ofNullable(rows.getTimestamp("last_synced_at")).map(java.sql.Timestamp::toInstant));
        });
        if (claim.claimed()) {
            held.put(integrationId, org);
        }
        return claim;
    }

    /** This sync's name in its leases. */
    String holder() {
        return holder;
    }

    /**
     * Renewals stop as the result's transaction starts: it ends the lease itself
     * ({@link SyncRunRepository#recordAndEndLease}), and a renewal waiting on that row meanwhile would
     * report a lost lease. If that transaction rolls back, {@link #release} ends the lease.
     */
    void stopRenewing(UUID integrationId) {
        held.remove(integrationId);
    }

    /** Ends a lease that no committed result ({@link SyncRunRepository#recordAndEndLease}) ended (a failure, a rollback); at most one statement. */
    void release(OrgId org, UUID integrationId, boolean releasedWithResult) {
        held.remove(integrationId);
        if (releasedWithResult) {
            return;
        }
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
