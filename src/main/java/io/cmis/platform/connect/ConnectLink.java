package io.cmis.platform.connect;

import java.net.URI;
import java.time.Instant;
import java.util.UUID;

/**
 * A start link of {@code connect start --browser}: opened once, before {@code expiresAt}, it starts
 * the flow in that browser. Whoever opens it first owns the flow, so it is handed only to the org's
 * own signed-in user (the app redirects their browser to it). {@code flowId} names the flow (the
 * {@code oauth_states} row): the application keeps it in its user's session and finds it again in
 * the return to its {@code return_to}.
 */
public record ConnectLink(URI startUrl, Instant expiresAt, String platform, String orgId, UUID flowId) {
    @Override
    public String toString() {
        return "ConnectLink[" + platform + ", org " + orgId + ", expires " + expiresAt + "]";
    }
}
