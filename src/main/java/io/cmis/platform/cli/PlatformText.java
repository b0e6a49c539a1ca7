package io.cmis.platform.cli;

import io.cmis.platform.platforms.ConnectorRegistry;
import io.cmis.platform.sandbox.Sandbox;

import java.util.ArrayList;
import java.util.List;
import java.util.ListResourceBundle;

/**
 * The help texts' lists of platforms, computed from the registry when picocli builds the command
 * tree (the root command names this class as its resource bundle; a description says
 * {@code ${bundle:cmis.platforms}}): adding a platform cannot leave --help or the man pages naming
 * fewer. Keys begin with "cmis." so that none is taken for one of picocli's own usage keys.
 */
public final class PlatformText extends ListResourceBundle {
    static final String BUNDLE = "io.cmis.platform.cli.PlatformText";

    @Override
    protected Object[][] getContents() {
        return new Object[][]{
                {"cmis.platforms", and(ConnectorRegistry.displayNames(), "and")},
                {"cmis.platform-ids", and(ConnectorRegistry.knownIds(), "or")},
                {"cmis.sandbox-ports", sandboxPorts()},
        };
    }

    /** "Meta listens on N, Google on N+1, ...": the ports as {@link Sandbox#start} assigns them. */
    static String sandboxPorts() {
        List<String> ports = new ArrayList<>();
        for (int i = 0; i < Sandbox.PLATFORMS.size(); i++) {
            String name = name(Sandbox.PLATFORMS.get(i));
            ports.add(i == 0 ? name + " listens on N" : name + " on N+" + i);
        }
        return String.join(", ", ports);
    }

    private static String name(String id) {
        int at = ConnectorRegistry.knownIds().indexOf(id);
        return at < 0 ? id : ConnectorRegistry.displayNames().get(at);
    }

    /** "a, b and c". */
    static String and(List<String> items, String conjunction) {
        if (items.size() < 2) {
            return String.join("", items);
        }
        return String.join(", ", items.subList(0, items.size() - 1)) + " " + conjunction + " "
                + items.get(items.size() - 1);
    }
}
