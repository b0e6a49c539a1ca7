package io.cmis.platform.platforms;

/** Makes one platform's connector; one per platform package, listed in {@link ConnectorRegistry}. */
public interface ConnectorFactory {
    /** The platform's static facts, without building anything (the connector's {@code DESCRIPTOR}). */
    PlatformDescriptor descriptor();

    default String id() {
        return descriptor().id();
    }

    /** The platform's name as people write it (help texts list platforms by it). */
    default String displayName() {
        return descriptor().displayName();
    }

    PlatformConnector create(PlatformEnvironment environment);
}
