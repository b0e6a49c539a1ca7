package io.cmis.platform.crypto;

import java.util.List;

/**
 * Every column that holds a ciphertext. Key rotation walks this list, and a database test fails
 * when a migration adds an {@code *_enc} column that is missing here.
 */
public final class SecretColumns {
    /**
     * A table and one of its encrypted columns. The table's {@code id} and {@code org_id} are part of
     * the associated data, so a caller passes the org of the row it read or writes (in an org's
     * transaction, row-level security makes it the transaction's org).
     */
    public record Column(String table, String column) {
        public SecretSlot slot(java.util.UUID orgId, java.util.UUID rowId) {
            return new SecretSlot(table, column, orgId, rowId);
        }

        /** {@code table.column}, as reports name it. */
        public String qualified() {
            return table + "." + column;
        }
    }

    public static final Column INTEGRATION_ACCESS_TOKEN = new Column("integrations", "access_token_enc");
    public static final Column INTEGRATION_REFRESH_TOKEN = new Column("integrations", "refresh_token_enc");
    public static final Column CHANNEL_ACCESS_TOKEN = new Column("channels", "access_token_enc");
    public static final Column OAUTH_PKCE_VERIFIER = new Column("oauth_states", "pkce_verifier_enc");
    /** OAuth 1.0a: the request token's secret, needed to sign the access-token leg. */
    public static final Column OAUTH_REQUEST_TOKEN_SECRET = new Column("oauth_states", "request_token_secret_enc");
    /** OAuth 1.0a: the access token's secret, half of the key that signs every call. */
    public static final Column INTEGRATION_TOKEN_SECRET = new Column("integrations", "token_secret_enc");

    public static final List<Column> ALL = List.of(
            INTEGRATION_ACCESS_TOKEN, INTEGRATION_REFRESH_TOKEN, CHANNEL_ACCESS_TOKEN, OAUTH_PKCE_VERIFIER,
            OAUTH_REQUEST_TOKEN_SECRET, INTEGRATION_TOKEN_SECRET);

    private SecretColumns() {
    }
}
