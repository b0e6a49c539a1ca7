package io.cmis.platform.tenancy;

import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.HandleCallback;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The only two ways to touch tenant data. {@link #inOrg} runs a unit of work in one transaction as
 * {@code cmis_tenant} with the org set transaction-locally: row-level security then shows and
 * accepts that org's rows only. {@link #systemWide} is the named cross-org path (due tokens,
 * webhook routing, health totals, operator listings); every use states its purpose.
 */
public final class Tenancy {
    private static final Logger log = LoggerFactory.getLogger(Tenancy.class);

    private final Jdbi jdbi;

    public Tenancy(Jdbi jdbi) {
        this.jdbi = jdbi;
    }

    public <T> T inOrg(OrgId org, HandleCallback<T, RuntimeException> work) {
        return jdbi.inTransaction(handle -> {
            // One round trip: set_config('role', ..., true) is SET LOCAL ROLE.
            handle.createQuery("SELECT set_config('role', 'cmis_tenant', true) AS role, "
                            + "set_config('cmis.org_id', :org, true) AS org")
                    .bind("org", org.toString())
                    .mapToMap()
                    .one();
            return work.withHandle(handle);
        });
    }

    public void inOrgDo(OrgId org, java.util.function.Consumer<Handle> work) {
        inOrg(org, handle -> {
            work.accept(handle);
            return null;
        });
    }

    /** Cross-org work, as {@code cmis_system}; {@code purpose} says why, for the debug log. */
    public <T> T systemWide(String purpose, HandleCallback<T, RuntimeException> work) {
        log.debug("system path: {}", purpose);
        return jdbi.inTransaction(handle -> {
            handle.execute("SET LOCAL ROLE cmis_system");
            return work.withHandle(handle);
        });
    }
}
