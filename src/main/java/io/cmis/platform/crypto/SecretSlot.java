package io.cmis.platform.crypto;

import java.nio.charset.StandardCharsets;
import java.util.UUID;

/**
 * Where a ciphertext lives (table, column, row). It is the GCM associated data, so a ciphertext
 * copied into another row or column no longer decrypts.
 */
public record SecretSlot(String table, String column, UUID rowId) {
    byte[] associatedData() {
        return ("cmis-platform:" + table + "." + column + ":" + rowId).getBytes(StandardCharsets.UTF_8);
    }
}
