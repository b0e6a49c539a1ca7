package io.cmis.platform.api;

import java.util.UUID;

/** No such channel in the reader's org (another org's channel is not found either). */
public final class ChannelNotFoundException extends RuntimeException {
    public ChannelNotFoundException(UUID id) {
        super("no channel " + id, null, false, false);
    }
}
