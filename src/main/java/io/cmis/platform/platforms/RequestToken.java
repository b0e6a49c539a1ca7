package io.cmis.platform.platforms;

import io.cmis.platform.crypto.Secret;

import java.util.Objects;

/**
 * An OAuth 1.0a request token (temporary credentials, RFC 5849 2.1): its value is the flow's state
 * key, its secret signs the access-token leg and is kept encrypted until then.
 */
public record RequestToken(String value, Secret secret) {
    public RequestToken {
        Objects.requireNonNull(value, "value");
        Objects.requireNonNull(secret, "secret");
    }

    @Override
    public String toString() {
        return "RequestToken[***]";
    }
}
