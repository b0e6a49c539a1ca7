package io.cmis.platform.config;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/**
 * Which build this is: the version, the git commit and the build time, written into the jar by the
 * build ({@code git.properties}). Shown by {@code --version}, {@code config show}, {@code /metrics}
 * ({@code cmis_build_info}) and the dashboard, so an operator can tell what runs on a host.
 */
public record BuildInfo(String version, String commit, String buildTime) {
    private static final String UNKNOWN = "unknown";
    private static final BuildInfo CURRENT = load();

    public static BuildInfo current() {
        return CURRENT;
    }

    /** {@code 0.2.0 (commit 1a2b3c4, built 2026-12-03T18:00:00Z)}. */
    public String describe() {
        return version + " (commit " + commit + ", built " + buildTime + ")";
    }

    private static BuildInfo load() {
        Properties p = new Properties();
        try (InputStream in = BuildInfo.class.getResourceAsStream("/git.properties")) {
            if (in != null) {
                p.load(in);
            }
        } catch (IOException e) {
            // a jar that cannot read its own resource: say unknown rather than fail the command
        }
        String version = p.getProperty("git.build.version", BuildInfo.class.getPackage().getImplementationVersion());
        String commit = p.getProperty("git.commit.id.abbrev", UNKNOWN)
                + ("true".equals(p.getProperty("git.dirty")) ? "-dirty" : "");
        return new BuildInfo(version == null ? "development build" : version, commit,
                p.getProperty("git.build.time", UNKNOWN));
    }
}
