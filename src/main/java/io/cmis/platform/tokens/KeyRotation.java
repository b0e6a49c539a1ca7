package io.cmis.platform.tokens;

import io.cmis.platform.crypto.DecryptionException;
import io.cmis.platform.crypto.Secret;
import io.cmis.platform.crypto.SecretColumns;
import io.cmis.platform.crypto.SecretSlot;
import io.cmis.platform.crypto.TokenVault;
import io.cmis.platform.tenancy.Tenancy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * Re-encrypts every stored secret under the active key, in the current format. Batches commit one by
 * one and each row is updated only if it still holds the ciphertext that was read, so the rotation is
 * idempotent, resumable after a kill, and safe beside another rotation or a token refresh.
 *
 * <p>A row another transaction holds (a refresh waiting for its platform) is waited for, up to the
 * lock timeout, alone in a transaction of its own: the rotation never waits while it holds other
 * rows, so it cannot deadlock with a writer. A row still held then is tried once more when the
 * column is done. Nothing is passed over unsaid: afterwards every column is counted again, and
 * what is still not under the active key is in the report.
 */
public final class KeyRotation {
    private static final Logger log = LoggerFactory.getLogger(KeyRotation.class);
    static final int BATCH = 200;
    /** Longer than a refresh holds its row (http.timeout 30 s, and a retry). */
    public static final Duration DEFAULT_LOCK_TIMEOUT = Duration.ofMinutes(2);

    private final Tenancy tenancy;
    private final TokenVault vault;
    private final Duration lockTimeout;

    public KeyRotation(Tenancy tenancy, TokenVault vault) {
        this(tenancy, vault, DEFAULT_LOCK_TIMEOUT);
    }

    public KeyRotation(Tenancy tenancy, TokenVault vault, Duration lockTimeout) {
        if (lockTimeout.isNegative() || lockTimeout.isZero()) {
            throw new IllegalArgumentException("the lock timeout must be positive");
        }
        this.tenancy = tenancy;
        this.vault = vault;
        this.lockTimeout = lockTimeout;
    }

    /** Every column, then the recount. */
    public Report rotateAll() {
        List<ColumnResult> results = new ArrayList<>();
        for (SecretColumns.Column column : SecretColumns.ALL) {
            results.add(rotate(column));
        }
        return new Report(results, remaining());
    }

    /** What is not under the active key in the current format, now. */
    public List<SecretInventory.Stale> remaining() {
        return tenancy.systemWide("count secrets not under the active key",
                h -> SecretInventory.notUnder(h, vault.currentPrefix()));
    }

    ColumnResult rotate(SecretColumns.Column column) {
        Counts total = new Counts();
        List<UUID> held = new ArrayList<>();
        UUID after = new UUID(0L, 0L);
        while (true) {
            Batch batch = batch(column, after);
            if (batch.ids.isEmpty()) {
                break;
            }
            total.add(batch.counts);
            for (UUID id : batch.held) {
                log.info("{} of row {} is held by another transaction; waiting up to {} s for it",
                        column.qualified(), id, lockTimeout.toSeconds());
                if (!waitFor(column, id, total)) {
                    held.add(id);
                }
            }
            after = batch.ids.get(batch.ids.size() - 1);
        }
        // Once more for the rows that outlived the wait: the other work gave their holders time to finish.
        for (UUID id : held) {
            if (!waitFor(column, id, total)) {
                log.warn("{} of row {}: still locked by another transaction after waiting twice {} s; left as it is",
                        column.qualified(), id, lockTimeout.toSeconds());
                total.locked++;
            }
        }
        return new ColumnResult(column.qualified(), total.rotated, total.current, total.failed, total.locked);
    }

    /** The next ids, and those of them no other transaction holds re-encrypted in one transaction. */
    private Batch batch(SecretColumns.Column column, UUID after) {
        return tenancy.systemWide("re-encrypt " + column.qualified(), handle -> {
            SecretColumnRepository repository = new SecretColumnRepository(handle, column);
            List<UUID> ids = repository.batchIds(after, BATCH);
            if (ids.isEmpty()) {
                return new Batch(ids, new Counts(), List.of());
            }
            List<SecretColumnRepository.Row> free = repository.lockFree(after, ids.get(ids.size() - 1));
            java.util.Set<UUID> done = new java.util.HashSet<>();
            free.forEach(r -> done.add(r.id()));
            List<UUID> held = ids.stream().filter(id -> !done.contains(id)).toList();
            return new Batch(ids, reencrypt(repository, column, free), held);
        });
    }

    /** One held row, waited for alone (up to the lock timeout); false when it was still held. */
    private boolean waitFor(SecretColumns.Column column, UUID id, Counts into) {
        try {
            into.add(tenancy.systemWide("re-encrypt a row another transaction held, " + column.qualified(), handle -> {
                SecretColumnRepository repository = new SecretColumnRepository(handle, column);
                repository.waitForLocksAtMost(lockTimeout);
                return reencrypt(repository, column, repository.lockOne(id));
            }));
            return true;
        } catch (RuntimeException e) {
            if (!LockWait.gaveUp(e)) {
                throw e;
            }
            return false;
        }
    }

    private Counts reencrypt(SecretColumnRepository repository, SecretColumns.Column column,
                             List<SecretColumnRepository.Row> rows) {
        Counts counts = new Counts();
        for (SecretColumnRepository.Row row : rows) {
            if (!vault.needsReencryption(row.ciphertext())) {
                counts.current++;
                continue;
            }
            try {
                SecretSlot slot = column.slot(row.orgId(), row.id());
                Secret plain = vault.decrypt(row.ciphertext(), slot);
                if (repository.replace(row.id(), row.ciphertext(), vault.encrypt(plain, slot))) {
                    counts.rotated++;
                }
            } catch (DecryptionException e) {
                log.warn("cannot re-encrypt: {}", e.getMessage());
                counts.failed++;
            }
        }
        return counts;
    }

    /** Outcome for one encrypted column; {@code locked}: rows still held by another transaction at the end. */
    public record ColumnResult(String column, int rotated, int alreadyCurrent, int failed, int locked) {
    }

    /** The columns' outcomes and the recount after them. */
    public record Report(List<ColumnResult> columns, List<SecretInventory.Stale> remaining) {
        public long remainingTotal() {
            return SecretInventory.total(remaining);
        }

        /** Done means nothing is left under an old key or format, whatever the reason. */
        public boolean complete() {
            return remaining.isEmpty();
        }
    }

    private record Batch(List<UUID> ids, Counts counts, List<UUID> held) {
    }

    private static final class Counts {
        int rotated;
        int current;
        int failed;
        int locked;

        void add(Counts other) {
            rotated += other.rotated;
            current += other.current;
            failed += other.failed;
            locked += other.locked;
        }
    }
}
