package io.cmis.platform.cli;

import io.cmis.platform.config.BuildInfo;
import picocli.CommandLine.IVersionProvider;

/** {@code --version}: the version, commit and build time the build wrote into the jar. */
final class VersionProvider implements IVersionProvider {
    @Override
    public String[] getVersion() {
        return new String[] {"cmis-platform " + BuildInfo.current().describe(),
                "Java " + System.getProperty("java.version")};
    }
}
