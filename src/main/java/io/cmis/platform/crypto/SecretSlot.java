package io.cmis.platform.crypto;

import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.UUID;

/**
 * Where a ciphertext lives: table, column, the row's org and the row. It is the GCM associated data,
 * so a ciphertext copied into another row or column, into another org's row, or left in a row whose
 * org was changed, no longer decrypts. Every table with a secret column has a non-null {@code org_id}
 * (the catalog test checks it); a table without one would pass {@link #NO_ORG}, a fixed org part.
 */
public record SecretSlot(String table, String column, UUID orgId, UUID rowId) {
    /** The org part for a secret of no org (none exists today). */
    public static final UUID NO_ORG = new UUID(0L, 0L);

    public SecretSlot {
        Objects.requireNonNull(table, "table");
        Objects.requireNonNull(column, "column");
        Objects.requireNonNull(orgId, "orgId");
        Objects.requireNonNull(rowId, "rowId");
    }

    /** Format v2 (written today): bound to the org as well. */
    byte[] associatedData() {
        return ("cmis-platform:v2:" + table + "." + column + ":" + orgId + ":" + rowId).getBytes(StandardCharsets.UTF_8);
    }

    /** Format v1 (read only, until {@code tokens rotate-key} rewrites it as v2): bound to table, column and row. */
    byte[] associatedDataV1() {
        return ("cmis-platform:" + table + "." + column + ":" + rowId).getBytes(StandardCharsets.UTF_8);
    }
}
