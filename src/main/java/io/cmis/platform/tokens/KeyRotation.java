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
 * lock timeout; a batch that times out is gone through again row by row, each row waited for once
 * more, so only the rows still held are left. Nothing is passed over unsaid: afterwards every column
 * is counted again, and what is still not under the active key is in the report.
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
        UUID after = new UUID(0L, 0L);
        while (true) {
            Counts batch = batch(column, after);
            total.add(batch);
            if (batch.last == null) {
                break;
            }
            after = batch.last;
        }
        return new ColumnResult(column.qualified(), total.rotated, total.current, total.failed, total.locked);
    }

    private Counts batch(SecretColumns.Column column, UUID after) {
        try {
            return tenancy.systemWide("re-encrypt " + column.qualified(), handle -> {
                SecretColumnRepository repository = new SecretColumnRepository(handle, column);
                repository.waitForLocksAtMost(lockTimeout);
                return reencrypt(repository, column, repository.lockBatch(after, BATCH));
            });
        } catch (RuntimeException e) {
            if (!LockWait.gaveUp(e)) {
                throw e;
            }
            log.warn("{}: a row of the batch after {} stayed locked for {} s; going through it row by row",
                    column.qualified(), after, lockTimeout.toSeconds());
            return rowByRow(column, after);
        }
    }

    private Counts rowByRow(SecretColumns.Column column, UUID after) {
        List<UUID> ids = tenancy.systemWide("list a batch of " + column.qualified(),
                handle -> new SecretColumnRepository(handle, column).batchIds(after, BATCH));
        Counts counts = new Counts();
        for (UUID id : ids) {
            counts.last = id;
            try {
                counts.add(tenancy.systemWide("re-encrypt one row of " + column.qualified(), handle -> {
                    SecretColumnRepository repository = new SecretColumnRepository(handle, column);
                    repository.waitForLocksAtMost(lockTimeout);
                    return reencrypt(repository, column, repository.lockOne(id));
                }));
            } catch (RuntimeException e) {
                if (!LockWait.gaveUp(e)) {
                    throw e;
                }
                log.warn("{} of row {}: still locked by another transaction after {} s; left under its old key",
                        column.qualified(), id, lockTimeout.toSeconds());
                counts.locked++;
            }
        }
        counts.last = ids.isEmpty() ? null : ids.get(ids.size() - 1);
        return counts;
    }

    private Counts reencrypt(SecretColumnRepository repository, SecretColumns.Column column,
                             List<SecretColumnRepository.Row> rows) {
        Counts counts = new Counts();
        for (SecretColumnRepository.Row row : rows) {
            counts.last = row.id();
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

    private static final class Counts {
        int rotated;
        int current;
        int failed;
        int locked;
        UUID last;

        void add(Counts other) {
            rotated += other.rotated;
            current += other.current;
            failed += other.failed;
            locked += other.locked;
        }
    }
}
