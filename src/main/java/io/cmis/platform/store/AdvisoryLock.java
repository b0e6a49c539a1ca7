package io.cmis.platform.store;

import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

import java.util.Optional;
import java.util.UUID;

/**
 * A PostgreSQL session advisory lock on one object, held on its own connection until closed. A
 * process that dies loses its connection and with it the lock, so nothing stays locked.
 */
public final class AdvisoryLock implements AutoCloseable {
    private final Handle handle;
    private final int namespace;
    private final int key;

    private AdvisoryLock(Handle handle, int namespace, int key) {
        this.handle = handle;
        this.namespace = namespace;
        this.key = key;
    }

    /** The lock, or empty when another session holds it. */
    public static Optional<AdvisoryLock> tryAcquire(Jdbi jdbi, int namespace, UUID id) {
        Handle handle = jdbi.open();
        try {
            int key = id.hashCode();
            boolean locked = handle.createQuery("SELECT pg_try_advisory_lock(:ns, :key)")
                    .bind("ns", namespace).bind("key", key).mapTo(Boolean.class).one();
            if (!locked) {
                handle.close();
                return Optional.empty();
            }
            return Optional.of(new AdvisoryLock(handle, namespace, key));
        } catch (RuntimeException e) {
            handle.close();
            throw e;
        }
    }

    @Override
    public void close() {
        try {
            handle.createQuery("SELECT pg_advisory_unlock(:ns, :key)").bind("ns", namespace).bind("key", key)
                    .mapTo(Boolean.class).one();
        } finally {
            handle.close();
        }
    }
}
