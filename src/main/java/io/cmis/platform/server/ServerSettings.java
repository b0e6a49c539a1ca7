package io.cmis.platform.server;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Optional;

/**
 * Where and how {@code serve} listens. {@code adminToken} (serve.admin-token) guards the dashboard,
 * {@code /metrics} and {@code /health/integrations}, which show every org's numbers; without it they
 * answer only loopback clients not behind a proxy, and serve listens on loopback only (see {@link AdminAccess}).
 */
public record ServerSettings(InetSocketAddress address, int threads, Duration readTimeout,
                             Optional<String> adminToken) {
}
