package io.cmis.platform.platforms.linkedin;

import io.cmis.platform.platforms.ConnectorFactory;
import io.cmis.platform.platforms.PlatformConnector;
import io.cmis.platform.platforms.PlatformDescriptor;
import io.cmis.platform.platforms.PlatformEnvironment;

/** Builds the LinkedIn connector (Pages the member administers, Marketing API ad accounts). */
public final class LinkedInConnectorFactory implements ConnectorFactory {
    @Override
    public PlatformDescriptor descriptor() {
        return LinkedInConnector.DESCRIPTOR;
    }

    @Override
    public PlatformConnector create(PlatformEnvironment environment) {
        return new LinkedInConnector(LinkedInConnector.DESCRIPTOR.configured(environment.config()),
                LinkedInSettings.from(environment.config()), environment.http(),
                environment.clock());
    }
}
