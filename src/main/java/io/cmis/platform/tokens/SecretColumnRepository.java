package io.cmis.platform.tokens;

import io.cmis.platform.crypto.SecretColumns;
import org.jdbi.v3.core.Handle;

import java.util.List;
import java.util.UUID;

/**
 * Reads and swaps ciphertexts of one encrypted column. Table and column names come from the fixed
 * list in {@link SecretColumns}, never from input; values are always bound.
 */
final class SecretColumnRepository {
    record Row(UUID id, String ciphertext) {
    }

    private final Handle handle;
    private final SecretColumns.Column column;

    SecretColumnRepository(Handle handle, SecretColumns.Column column) {
        if (!SecretColumns.ALL.contains(column)) {
            throw new IllegalArgumentException("not an encrypted column: " + column);
        }
        this.handle = handle;
        this.column = column;
    }

    List<Row> lockBatch(UUID after, int limit) {
        return handle.createQuery("""
                        SELECT id, <column> AS ciphertext FROM <table>
                        WHERE <column> IS NOT NULL AND id > :after
                        ORDER BY id
                        LIMIT :limit
                        FOR UPDATE SKIP LOCKED
                        """)
                .define("table", column.table())
                .define("column", column.column())
                .bind("after", after)
                .bind("limit", limit)
                .map((rs, ctx) -> new Row(rs.getObject("id", UUID.class), rs.getString("ciphertext")))
                .list();
    }

    boolean replace(UUID id, String expected, String fresh) {
        return handle.createUpdate("UPDATE <table> SET <column> = :fresh WHERE id = :id AND <column> = :expected")
                .define("table", column.table())
                .define("column", column.column())
                .bind("id", id)
                .bind("expected", expected)
                .bind("fresh", fresh)
                .execute() == 1;
    }
}
