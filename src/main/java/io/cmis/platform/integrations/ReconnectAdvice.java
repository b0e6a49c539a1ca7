package io.cmis.platform.integrations;

import org.jdbi.v3.core.Handle;

import java.util.UUID;

/**
 * The text of an alert about one integration, naming all that an operator needs to act on: the
 * platform, the account (id and name when known), the integration, the org, and the command that
 * fixes it. Read in the transaction that raises the alert, through that org's view.
 */
public final class ReconnectAdvice {
    private ReconnectAdvice() {
    }

    /** {@code what} says what happened ("needs to be reconnected: ...", "expires at ..."). */
    public static String about(Handle orgTransaction, UUID integrationId, String what) {
        return new IntegrationRepository(orgTransaction).find(integrationId)
                .map(i -> "The " + i.platform() + " account " + i.externalAccountId()
                        + (i.accountName() == null ? "" : " (" + i.accountName() + ")") + " of org " + i.orgId()
                        + ", integration " + i.id() + ", " + what + ". Fix: cmis-platform connect start " + i.platform()
                        + " --org " + i.orgId())
                .orElse("Integration " + integrationId + " " + what + ".");
    }
}
