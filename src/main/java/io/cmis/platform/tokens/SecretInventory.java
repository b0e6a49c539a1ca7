package io.cmis.platform.tokens;

import io.cmis.platform.crypto.SecretColumns;
import org.jdbi.v3.core.Handle;

import java.util.ArrayList;
import java.util.List;

/**
 * Counts the stored secrets that are not under the active key in the current format, in every
 * column {@link SecretColumns} knows: what {@code tokens rotate-key} must still do, and what makes
 * removing an old key from {@code encryption.keys} unsafe. Read by rotate-key after its run and by
 * {@code health}. Counts, formats and key ids only, never a value.
 */
public final class SecretInventory {
    /** {@code count} secrets of {@code table.column} in {@code format} under key {@code keyId} (null: no key id). */
    public record Stale(String table, String column, String format, String keyId, long count) {
        /** E.g. {@code integrations.access_token_enc: 3 under key 'k1' (v1)}. */
        public String describe() {
            return table + "." + column + ": " + count + (keyId == null ? " in no known format"
                    : " under key '" + keyId + "' (" + format + ")");
        }
    }

    private SecretInventory() {
    }

    /** On a handle of the system path: every column, in the order of {@link SecretColumns#ALL}. */
    public static List<Stale> notUnder(Handle handle, String currentPrefix) {
        List<Stale> stale = new ArrayList<>();
        for (SecretColumns.Column column : SecretColumns.ALL) {
            stale.addAll(new SecretColumnRepository(handle, column).notUnder(currentPrefix));
        }
        return stale;
    }

    public static long total(List<Stale> stale) {
        return stale.stream().mapToLong(Stale::count).sum();
    }
}
