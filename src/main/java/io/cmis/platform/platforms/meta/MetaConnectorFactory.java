package io.cmis.platform.platforms.meta;

import io.cmis.platform.platforms.ConnectorFactory;
import io.cmis.platform.platforms.PlatformConnector;
import io.cmis.platform.platforms.PlatformDescriptor;
import io.cmis.platform.platforms.PlatformEnvironment;

/** Builds the Meta connector (Facebook Pages, Instagram Business, Marketing API). */
public final class MetaConnectorFactory implements ConnectorFactory {
    @Override
    public PlatformDescriptor descriptor() {
        return MetaConnector.DESCRIPTOR;
    }

    @Override
    public PlatformConnector create(PlatformEnvironment environment) {
        return new MetaConnector(MetaConnector.DESCRIPTOR.configured(environment.config()),
                MetaSettings.from(environment.config()), environment.http(), environment.clock());
    }
}
