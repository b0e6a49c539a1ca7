package io.cmis.platform.platforms.snapchat;

import io.cmis.platform.platforms.ConnectorFactory;
import io.cmis.platform.platforms.PlatformConnector;
import io.cmis.platform.platforms.PlatformDescriptor;
import io.cmis.platform.platforms.PlatformEnvironment;

/** Builds the Snapchat Marketing API connector (ad accounts, and Public Profiles where granted). */
public final class SnapchatConnectorFactory implements ConnectorFactory {
    @Override
    public PlatformDescriptor descriptor() {
        return SnapchatConnector.DESCRIPTOR;
    }

    @Override
    public PlatformConnector create(PlatformEnvironment environment) {
        return new SnapchatConnector(SnapchatConnector.DESCRIPTOR.configured(environment.config()),
                SnapchatSettings.from(environment.config()), environment.http(),
                environment.clock());
    }
}
