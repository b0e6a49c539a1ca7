package io.cmis.platform.sync;

import io.cmis.platform.integrations.Integration;

/** Hears about each integration of a sync as it starts and as it ends, from the worker threads. */
@FunctionalInterface
public interface SyncListener {
    default void started(Integration integration) {
    }

    void finished(SyncOutcome outcome);
}
