package io.cmis.platform.platforms;

import java.util.List;
import java.util.Set;

/**
 * Discovery that went on past a limit scoped to one object (X's ad-account window, a Google Ads
 * customer's quota): the other accounts were read, but those in {@link #kept()} could not be read in
 * full and keep what was last stored of them, with what is stored under them. The limit itself is the one recorded, so the run is deferred for that scope only and
 * nothing is marked removed because it was limited.
 */
public class ObjectRateLimitedException extends RateLimitExceededException {
    private final transient List<DiscoveredAdAccount> adAccounts;
    private final Set<String> kept;

    public ObjectRateLimitedException(RateLimitExceededException limit, List<DiscoveredAdAccount> adAccounts,
                                      Set<String> kept) {
        super(limit.platform(), limit.endpoint(), limit.errorCode(), limit.limits(), limit.platformMessage());
        limit.orgId().ifPresent(this::inOrg);
        this.adAccounts = List.copyOf(adAccounts);
        this.kept = Set.copyOf(kept);
    }

    /** Every ad account listed, the kept ones as far as the listing described them. */
    public List<DiscoveredAdAccount> adAccounts() {
        return adAccounts;
    }

    /** External ids of the accounts held back by their own limit: keep their stored row as it is. */
    public Set<String> kept() {
        return kept;
    }
}
