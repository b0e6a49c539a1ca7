package io.cmis.platform.api;

import io.cmis.platform.connect.BrowserConnect;
import io.cmis.platform.integrations.IntegrationService;
import io.cmis.platform.sync.SyncedData;
import io.cmis.platform.tenancy.Tenancy;

import java.security.SecureRandom;
import java.time.Clock;

/** Everything under {@code /api/v1}, put together once for serve (and for tests that start one). */
public final class ApplicationApi {
    private ApplicationApi() {
    }

    /** What the routes need from the rest of the tool. */
    public record Parts(Tenancy tenancy, IntegrationService integrations, Clock clock, SecureRandom random,
                        BrowserConnect connect,
                        Credentials credentials, io.cmis.platform.proxy.ProxyService proxy) {
    }

    public static ApiRoutes routes(Parts parts) {
        ApiRoutes routes = new ApiRoutes(new ApiKeys(parts.tenancy(), parts.clock(), parts.random()));
        new ReadApi(parts.integrations(), new SyncedData(parts.tenancy())).mount(routes);
        new ConnectApi(parts.connect()).mount(routes);
        new CredentialsApi(parts.credentials()).mount(routes);
        new ProxyRoute(parts.proxy()).mount(routes);
        OpenApiDocument.load().mount(routes);
        return routes;
    }
}
