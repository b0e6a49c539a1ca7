package io.cmis.platform.connect;

import java.net.URI;
import java.time.Instant;

/** Where to send the user, and the state that will come back with the code. */
public record ConnectStart(URI authorizationUrl, String state, Instant expiresAt, String platform, String orgId) {
    @Override
    public String toString() {
        return "ConnectStart[" + platform + ", org " + orgId + ", expires " + expiresAt + "]";
    }
}
