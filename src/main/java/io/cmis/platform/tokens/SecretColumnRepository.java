package io.cmis.platform.tokens;

import io.cmis.platform.crypto.SecretColumns;
import org.jdbi.v3.core.Handle;

import java.time.Duration;
import java.util.List;
import java.util.UUID;

/**
 * Reads and swaps ciphertexts of one encrypted column, and counts those not under the current key
 * and format. Table and column names come from the fixed list in {@link SecretColumns}, never from
 * input; values are always bound.
 */
final class SecretColumnRepository {
    record Row(UUID id, UUID orgId, String ciphertext) {
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

    /**
     * Waits at most {@code limit} for each row lock of this transaction, then fails with SQLSTATE
     * 55P03 (see {@link LockWait}): a row held by a refresh is waited for, never silently passed over.
     */
    void waitForLocksAtMost(Duration limit) {
        handle.createQuery("SELECT set_config('lock_timeout', :ms, true)")
                .bind("ms", Long.toString(Math.max(1, limit.toMillis())))
                .mapTo(String.class)
                .one();
    }

    /** The ids of the next rows after {@code after}, not locked. */
    List<UUID> batchIds(UUID after, int limit) {
        return handle.createQuery("""
                        SELECT id FROM <table>
                        WHERE <column> IS NOT NULL AND id > :after
                        ORDER BY id
                        LIMIT :limit
                        """)
                .define("table", column.table())
                .define("column", column.column())
                .bind("after", after)
                .bind("limit", limit)
                .mapTo(UUID.class)
                .list();
    }

    /**
     * The rows of ids {@code (after, last]} that no other transaction holds, locked. The caller
     * finds the held ones by difference and waits for each alone, holding nothing else, so the
     * rotation never waits while it holds locks (no deadlock with a writer that takes several rows).
     */
    List<Row> lockFree(UUID after, UUID last) {
        return handle.createQuery("""
                        SELECT id, org_id, <column> AS ciphertext FROM <table>
                        WHERE <column> IS NOT NULL AND id > :after AND id <= :last
                        ORDER BY id
                        FOR UPDATE SKIP LOCKED
                        """)
                .define("table", column.table())
                .define("column", column.column())
                .bind("after", after)
                .bind("last", last)
                .map((rs, ctx) -> row(rs))
                .list();
    }

    /** One row, locked (waited for); empty when its secret is gone meanwhile. */
    List<Row> lockOne(UUID id) {
        return handle.createQuery("""
                        SELECT id, org_id, <column> AS ciphertext FROM <table>
                        WHERE <column> IS NOT NULL AND id = :id
                        FOR UPDATE
                        """)
                .define("table", column.table())
                .define("column", column.column())
                .bind("id", id)
                .map((rs, ctx) -> row(rs))
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

    /**
     * Secrets not beginning with {@code current} (the active key in the current format), by format and
     * key id. Only the prefix of a value is ever read out, and only when it has the shape of one: a
     * value in no known format (say, a plain token written by hand) is reported as format
     * {@code unknown} with no key id, so nothing of it is shown.
     */
    List<SecretInventory.Stale> notUnder(String current) {
        return handle.createQuery("""
                        SELECT CASE WHEN <column> ~ '^v[0-9]{1,3}\\.' THEN split_part(<column>, '.', 1)
                                    ELSE 'unknown' END AS format,
                               CASE WHEN <column> ~ '^v[0-9]{1,3}\\.[A-Za-z0-9_-]{1,32}\\.'
                                    THEN split_part(<column>, '.', 2) END AS key_id,
                               count(*) AS secrets
                        FROM <table>
                        WHERE <column> IS NOT NULL AND NOT starts_with(<column>, :current)
                        GROUP BY 1, 2
                        ORDER BY 1, 2
                        """)
                .define("table", column.table())
                .define("column", column.column())
                .bind("current", current)
                .map((rs, ctx) -> new SecretInventory.Stale(column.table(), column.column(), rs.getString("format"),
                        rs.getString("key_id"), rs.getLong("secrets")))
                .list();
    }

    private static Row row(java.sql.ResultSet rs) throws java.sql.SQLException {
        return new Row(rs.getObject("id", UUID.class), rs.getObject("org_id", UUID.class), rs.getString("ciphertext"));
    }
}
