package io.cmis.platform.platforms.google;

import io.cmis.platform.platforms.ConnectorFactory;
import io.cmis.platform.platforms.PlatformConnector;
import io.cmis.platform.platforms.PlatformDescriptor;
import io.cmis.platform.platforms.PlatformEnvironment;

/** Builds the Google connector (Google Ads, YouTube). */
public final class GoogleConnectorFactory implements ConnectorFactory {
    @Override
    public PlatformDescriptor descriptor() {
        return GoogleConnector.DESCRIPTOR;
    }

    @Override
    public PlatformConnector create(PlatformEnvironment environment) {
        return new GoogleConnector(GoogleConnector.DESCRIPTOR.configured(environment.config()),
                GoogleSettings.from(environment.config()), environment.http(), environment.clock());
    }
}
