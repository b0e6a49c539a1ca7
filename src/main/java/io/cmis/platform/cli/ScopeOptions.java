package io.cmis.platform.cli;

import io.cmis.platform.tenancy.OrgId;
import picocli.CommandLine.Option;

import java.util.Optional;

/** {@code --org} and {@code --platform}, shared by the commands that narrow by them (a picocli mixin). */
final class ScopeOptions {
    @Option(names = "--org", paramLabel = "ORG", converter = Converters.Org.class, description = "Only this organization.")
    OrgId org;

    @Option(names = "--platform", paramLabel = "PLATFORM", converter = Converters.Platform.class,
            description = "Only this platform.")
    String platform;

    Optional<OrgId> org() {
        return Optional.ofNullable(org);
    }

    Optional<String> platform() {
        return Optional.ofNullable(platform);
    }
}
