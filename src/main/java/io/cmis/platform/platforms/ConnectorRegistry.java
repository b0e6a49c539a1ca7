package io.cmis.platform.platforms;

import io.cmis.platform.platforms.google.GoogleConnectorFactory;
import io.cmis.platform.platforms.linkedin.LinkedInConnectorFactory;
import io.cmis.platform.platforms.meta.MetaConnectorFactory;
import io.cmis.platform.platforms.snapchat.SnapchatConnectorFactory;
import io.cmis.platform.platforms.tiktok.TikTokConnectorFactory;
import io.cmis.platform.platforms.x.XConnectorFactory;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The connectors by platform id. Adding a platform: one package, one factory here, one simulator. */
public final class ConnectorRegistry {
    private static final List<ConnectorFactory> FACTORIES = List.of(
            new MetaConnectorFactory(), new GoogleConnectorFactory(), new TikTokConnectorFactory(),
            new SnapchatConnectorFactory(), new LinkedInConnectorFactory(), new XConnectorFactory());
    private static final List<String> IDS = FACTORIES.stream().map(ConnectorFactory::id).toList();
    private static final List<String> NAMES = FACTORIES.stream().map(ConnectorFactory::displayName).toList();

    private final Map<String, PlatformConnector> connectors;

    private ConnectorRegistry(Map<String, PlatformConnector> connectors) {
        this.connectors = connectors;
    }

    public static ConnectorRegistry create(PlatformEnvironment environment) {
        Map<String, PlatformConnector> connectors = new LinkedHashMap<>();
        for (ConnectorFactory factory : FACTORIES) {
            connectors.put(factory.id(), factory.create(environment));
        }
        return new ConnectorRegistry(Map.copyOf(connectors));
    }

    /** Platform ids, without building anything: for validating what an operator typed. */
    public static List<String> knownIds() {
        return IDS;
    }

    /** Each platform's static facts, in the order of {@link #knownIds()}, without building anything. */
    public static List<PlatformDescriptor> descriptors() {
        return FACTORIES.stream().map(ConnectorFactory::descriptor).toList();
    }

    /** Platform names as people write them ("LinkedIn"), in the order of {@link #knownIds()}. */
    public static List<String> displayNames() {
        return NAMES;
    }

    /** The id as stored, or {@link UnsupportedPlatformException} naming the known ones. */
    public static String requireKnown(String text) {
        String id = text.trim().toLowerCase(Locale.ROOT);
        if (!knownIds().contains(id)) {
            throw new UnsupportedPlatformException(text, knownIds());
        }
        return id;
    }

    public PlatformConnector get(String platform) {
        PlatformConnector connector = connectors.get(platform);
        if (connector == null) {
            throw new UnsupportedPlatformException(platform, knownIds());
        }
        return connector;
    }
}
