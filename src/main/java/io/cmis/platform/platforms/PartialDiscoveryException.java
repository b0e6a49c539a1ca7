package io.cmis.platform.platforms;

import java.util.List;

/**
 * Discovery that reached some items and failed on others (Snapchat answers HTTP 200 with a failing
 * {@code sub_request_status} per item). It is an error, never "no data": a sync that gets it
 * writes nothing and so marks nothing removed. What was found rides along, for callers that can
 * use a partial result, and {@link #failed()} names what was not reached.
 */
public class PartialDiscoveryException extends PermanentPlatformException {
    private final transient List<DiscoveredChannel> channels;
    private final transient List<DiscoveredAdAccount> adAccounts;
    private final List<String> failed;

    public PartialDiscoveryException(String platform, String endpoint, String errorCode, String message,
                                     List<DiscoveredChannel> channels, List<DiscoveredAdAccount> adAccounts,
                                     List<String> failed) {
        super(platform, endpoint, errorCode, message);
        this.channels = List.copyOf(channels);
        this.adAccounts = List.copyOf(adAccounts);
        this.failed = List.copyOf(failed);
    }

    /** The channels that were discovered despite the failures. */
    public List<DiscoveredChannel> channels() {
        return channels;
    }

    /** The ad accounts that were discovered despite the failures. */
    public List<DiscoveredAdAccount> adAccounts() {
        return adAccounts;
    }

    /** What could not be discovered, as the platform names it (an organization id, a page). */
    public List<String> failed() {
        return failed;
    }
}
