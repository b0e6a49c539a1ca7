package io.cmis.platform.crypto;

import java.util.List;

/**
 * Every column that holds a ciphertext. Key rotation walks this list, and a database test fails
 * when a migration adds an {@code *_enc} column that is missing here.
 */
public final class SecretColumns {
    /** A table's primary key (part of the associated data) and one of its encrypted columns. */
    public record Column(String table, String column) {
        public SecretSlot slot(java.util.UUID rowId) {
            return new SecretSlot(table, column, rowId);
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
