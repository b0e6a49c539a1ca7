package io.cmis.platform.platforms.google;

import io.cmis.platform.platforms.ConnectorFactory;
import io.cmis.platform.platforms.PlatformConnector;
import io.cmis.platform.platforms.PlatformEnvironment;

/** Builds the Google connector (Google Ads, YouTube). */
public final class GoogleConnectorFactory implements ConnectorFactory {
    @Override
    public String id() {
        return GoogleConnector.ID;
    }

    @Override
    public String displayName() {
        return "Google";
    }

    @Override
    public PlatformConnector create(PlatformEnvironment environment) {
        return new GoogleConnector(GoogleSettings.from(environment.config()), environment.http(), environment.clock());
    }
}
