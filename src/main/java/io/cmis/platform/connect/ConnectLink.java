package io.cmis.platform.connect;

import java.net.URI;
import java.time.Instant;

/**
 * A start link of {@code connect start --browser}: opened once, before {@code expiresAt}, it starts
 * the flow in that browser. Whoever opens it first owns the flow, so it is handed only to the org's
 * own signed-in user (the app redirects their browser to it).
 */
public record ConnectLink(URI startUrl, Instant expiresAt, String platform, String orgId) {
    @Override
    public String toString() {
        return "ConnectLink[" + platform + ", org " + orgId + ", expires " + expiresAt + "]";
    }
}
