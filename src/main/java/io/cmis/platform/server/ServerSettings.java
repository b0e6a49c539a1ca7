package io.cmis.platform.server;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Optional;

/**
 * Where and how {@code serve} listens. {@code adminToken} (serve.admin-token), when set, guards the
 * dashboard, {@code /metrics} and {@code /health/integrations}: they show every org's numbers.
 */
public record ServerSettings(InetSocketAddress address, int threads, Duration readTimeout,
                             Optional<String> adminToken) {
}
