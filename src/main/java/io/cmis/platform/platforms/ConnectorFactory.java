package io.cmis.platform.platforms;

/** Makes one platform's connector; one per platform package, listed in {@link ConnectorRegistry}. */
public interface ConnectorFactory {
    String id();

    PlatformConnector create(PlatformEnvironment environment);
}
