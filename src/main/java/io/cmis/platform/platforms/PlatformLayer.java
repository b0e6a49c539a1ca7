package io.cmis.platform.platforms;

import io.cmis.platform.config.AppConfig;
import io.cmis.platform.http.ApiCallLog;
import io.cmis.platform.http.CircuitBreakerStore;
import io.cmis.platform.http.CircuitSettings;
import io.cmis.platform.http.GuardedHttpClient;
import io.cmis.platform.http.PlatformCircuitBreakers;
import io.cmis.platform.http.RateLimitStore;
import io.cmis.platform.http.RetryPolicy;
import io.cmis.platform.tenancy.Tenancy;

import java.security.SecureRandom;
import java.time.Clock;

/** The connectors wired to the guarded HTTP path, as one process uses them; closing flushes the call log. */
public record PlatformLayer(ConnectorRegistry registry, GuardedHttpClient http) implements AutoCloseable {

    public static PlatformLayer create(AppConfig config, Tenancy tenancy, Clock clock, RetryPolicy.Sleeper sleeper) {
        PlatformCircuitBreakers breakers = new PlatformCircuitBreakers(new CircuitBreakerStore(tenancy),
                CircuitSettings.from(config), clock);
        RetryPolicy retry = new RetryPolicy(config.positiveInt("http.max-attempts", 10), RetryPolicy.DEFAULT_BASE,
                RetryPolicy.DEFAULT_CAP, new SecureRandom(), sleeper);
        GuardedHttpClient http = new GuardedHttpClient(breakers, new RateLimitStore(tenancy, clock),
                new ApiCallLog(tenancy), retry, config.httpTimeout(), clock);
        return new PlatformLayer(ConnectorRegistry.create(new PlatformEnvironment(config, http, clock)), http);
    }

    @Override
    public void close() {
        http.close();
    }
}
