package io.cmis.platform.sync;

/** What one integration's sync found and changed. */
public record SyncCounts(int channelsSeen, int channelsAdded, int channelsRemoved, int adAccountsSeen,
                         int adAccountsAdded, int adAccountsRemoved) {
    static final SyncCounts NONE = new SyncCounts(0, 0, 0, 0, 0, 0);
}
