package io.cmis.platform.tokens;

import java.util.UUID;

/** The key a read was made for is revoked (or gone): the caller is unauthenticated. */
public final class CallerKeyRevokedException extends RuntimeException {
    private final UUID keyId;

    public CallerKeyRevokedException(UUID keyId) {
        super("the API key is revoked");
        this.keyId = keyId;
    }

    public UUID keyId() {
        return keyId;
    }
}
