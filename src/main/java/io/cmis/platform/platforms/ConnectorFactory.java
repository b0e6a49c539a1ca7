package io.cmis.platform.platforms;

/** Makes one platform's connector; one per platform package, listed in {@link ConnectorRegistry}. */
public interface ConnectorFactory {
    String id();

    /** The platform's name as people write it (help texts list platforms by it). */
    String displayName();

    PlatformConnector create(PlatformEnvironment environment);
}
