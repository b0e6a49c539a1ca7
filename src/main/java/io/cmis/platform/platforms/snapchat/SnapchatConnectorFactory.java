package io.cmis.platform.platforms.snapchat;

import io.cmis.platform.platforms.ConnectorFactory;
import io.cmis.platform.platforms.PlatformConnector;
import io.cmis.platform.platforms.PlatformEnvironment;

/** Builds the Snapchat Marketing API connector (ad accounts, and Public Profiles where granted). */
public final class SnapchatConnectorFactory implements ConnectorFactory {
    @Override
    public String id() {
        return SnapchatConnector.ID;
    }

    @Override
    public String displayName() {
        return "Snapchat";
    }

    @Override
    public PlatformConnector create(PlatformEnvironment environment) {
        return new SnapchatConnector(SnapchatSettings.from(environment.config()), environment.http(),
                environment.clock());
    }
}
