package io.cmis.platform.tokens;

import io.cmis.platform.crypto.DecryptionException;
import io.cmis.platform.crypto.Secret;
import io.cmis.platform.crypto.SecretColumns;
import io.cmis.platform.crypto.TokenVault;
import io.cmis.platform.tenancy.Tenancy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * Re-encrypts every stored secret under the active key. Batches commit one by one and each row is
 * updated only if it still holds the ciphertext that was read, so the rotation is idempotent,
 * resumable after a kill, and safe beside another rotation or a token refresh.
 */
public final class KeyRotation {
    private static final Logger log = LoggerFactory.getLogger(KeyRotation.class);
    static final int BATCH = 200;

    private final Tenancy tenancy;
    private final TokenVault vault;

    public KeyRotation(Tenancy tenancy, TokenVault vault) {
        this.tenancy = tenancy;
        this.vault = vault;
    }

    public List<ColumnResult> rotateAll() {
        List<ColumnResult> results = new ArrayList<>();
        for (SecretColumns.Column column : SecretColumns.ALL) {
            results.add(rotate(column));
        }
        return results;
    }

    ColumnResult rotate(SecretColumns.Column column) {
        int rotated = 0;
        int failed = 0;
        int current = 0;
        UUID after = new UUID(0L, 0L);
        while (true) {
            UUID from = after;
            BatchResult batch = tenancy.systemWide("re-encrypt " + column.table() + "." + column.column(),
                    handle -> rotateBatch(new SecretColumnRepository(handle, column), column, from));
            rotated += batch.rotated;
            failed += batch.failed;
            current += batch.current;
            if (batch.last == null) {
                break;
            }
            after = batch.last;
        }
        return new ColumnResult(column.table() + "." + column.column(), rotated, current, failed);
    }

    private BatchResult rotateBatch(SecretColumnRepository repository, SecretColumns.Column column, UUID after) {
        List<SecretColumnRepository.Row> rows = repository.lockBatch(after, BATCH);
        BatchResult result = new BatchResult();
        for (SecretColumnRepository.Row row : rows) {
            result.last = row.id();
            if (!vault.needsReencryption(row.ciphertext())) {
                result.current++;
                continue;
            }
            try {
                Secret plain = vault.decrypt(row.ciphertext(), column.slot(row.id()));
                String fresh = vault.encrypt(plain, column.slot(row.id()));
                if (repository.replace(row.id(), row.ciphertext(), fresh)) {
                    result.rotated++;
                }
            } catch (DecryptionException e) {
                log.warn("cannot re-encrypt: {}", e.getMessage());
                result.failed++;
            }
        }
        return result;
    }

    /** Outcome for one encrypted column. */
    public record ColumnResult(String column, int rotated, int alreadyCurrent, int failed) {
    }

    private static final class BatchResult {
        int rotated;
        int current;
        int failed;
        UUID last;
    }
}
