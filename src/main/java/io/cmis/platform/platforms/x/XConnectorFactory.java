package io.cmis.platform.platforms.x;

import io.cmis.platform.platforms.ConnectorFactory;
import io.cmis.platform.platforms.PlatformConnector;
import io.cmis.platform.platforms.PlatformDescriptor;
import io.cmis.platform.platforms.PlatformEnvironment;

/** Builds the X Ads API connector (OAuth 1.0a signed calls, ad accounts, the X account as a channel). */
public final class XConnectorFactory implements ConnectorFactory {
    @Override
    public PlatformDescriptor descriptor() {
        return XConnector.DESCRIPTOR;
    }

    @Override
    public PlatformConnector create(PlatformEnvironment environment) {
        return new XConnector(XConnector.DESCRIPTOR.configured(environment.config()),
                XSettings.from(environment.config()), environment.http(), environment.clock());
    }
}
