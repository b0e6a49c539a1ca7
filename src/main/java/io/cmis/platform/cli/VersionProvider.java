package io.cmis.platform.cli;

import picocli.CommandLine.IVersionProvider;

/** The version written into the jar's manifest by the build. */
final class VersionProvider implements IVersionProvider {
    @Override
    public String[] getVersion() {
        String version = RootCommand.class.getPackage().getImplementationVersion();
        return new String[] {"cmis-platform " + (version == null ? "development build" : version),
                "Java " + System.getProperty("java.version")};
    }
}
