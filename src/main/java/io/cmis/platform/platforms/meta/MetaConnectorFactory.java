package io.cmis.platform.platforms.meta;

import io.cmis.platform.platforms.ConnectorFactory;
import io.cmis.platform.platforms.PlatformConnector;
import io.cmis.platform.platforms.PlatformEnvironment;

/** Builds the Meta connector (Facebook Pages, Instagram Business, Marketing API). */
public final class MetaConnectorFactory implements ConnectorFactory {
    @Override
    public String id() {
        return MetaConnector.ID;
    }

    @Override
    public String displayName() {
        return "Meta";
    }

    @Override
    public PlatformConnector create(PlatformEnvironment environment) {
        return new MetaConnector(MetaSettings.from(environment.config()), environment.http(), environment.clock());
    }
}
