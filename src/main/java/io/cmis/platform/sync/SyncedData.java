package io.cmis.platform.sync;

import io.cmis.platform.tenancy.OrgId;
import io.cmis.platform.tenancy.Tenancy;

import java.util.List;
import java.util.Optional;

/** Reading what sync stored: in one org, or across orgs through the system path for operators. */
public final class SyncedData {
    private final Tenancy tenancy;

    public SyncedData(Tenancy tenancy) {
        this.tenancy = tenancy;
    }

    public List<Channel> channels(Optional<OrgId> org, Optional<String> platform) {
        if (org.isPresent()) {
            return tenancy.inOrg(org.get(), h -> new ChannelRepository(h).list(org.get().value(), platform.orElse(null)));
        }
        return tenancy.systemWide("operator lists the channels of every org",
                h -> new ChannelRepository(h).list(null, platform.orElse(null)));
    }

    public List<AdAccount> adAccounts(Optional<OrgId> org, Optional<String> platform) {
        if (org.isPresent()) {
            return tenancy.inOrg(org.get(), h -> new AdAccountRepository(h).list(org.get().value(), platform.orElse(null)));
        }
        return tenancy.systemWide("operator lists the ad accounts of every org",
                h -> new AdAccountRepository(h).list(null, platform.orElse(null)));
    }

    /** One page of an org's channels (the application API), in id order after {@code after}. */
    public List<Channel> channelsPage(OrgId org, Optional<String> platform, java.util.UUID after, int limit) {
        return tenancy.inOrg(org, h -> new ChannelRepository(h).page(org.value(), platform.orElse(null), after, limit));
    }

    /** One page of an org's ad accounts (the application API), in id order after {@code after}. */
    public List<AdAccount> adAccountsPage(OrgId org, Optional<String> platform, java.util.UUID after, int limit) {
        return tenancy.inOrg(org, h -> new AdAccountRepository(h).page(org.value(), platform.orElse(null), after, limit));
    }
}
