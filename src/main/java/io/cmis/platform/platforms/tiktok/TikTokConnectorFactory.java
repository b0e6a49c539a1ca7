package io.cmis.platform.platforms.tiktok;

import io.cmis.platform.platforms.ConnectorFactory;
import io.cmis.platform.platforms.PlatformConnector;
import io.cmis.platform.platforms.PlatformDescriptor;
import io.cmis.platform.platforms.PlatformEnvironment;

/** Builds the TikTok for Business connector (advertisers and TikTok account holders). */
public final class TikTokConnectorFactory implements ConnectorFactory {
    @Override
    public PlatformDescriptor descriptor() {
        return TikTokConnector.DESCRIPTOR;
    }

    @Override
    public PlatformConnector create(PlatformEnvironment environment) {
        return new TikTokConnector(TikTokConnector.DESCRIPTOR.configured(environment.config()),
                TikTokSettings.from(environment.config()), environment.http(), environment.clock());
    }
}
