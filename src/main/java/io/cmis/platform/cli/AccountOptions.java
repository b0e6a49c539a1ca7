package io.cmis.platform.cli;

import io.cmis.platform.platforms.PlatformConnector;
import io.cmis.platform.tenancy.OrgId;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** PLATFORM, {@code --org} and {@code --kind}: which account of which org a token is for (a picocli mixin). */
final class AccountOptions {
    @Parameters(index = "0", paramLabel = "PLATFORM", converter = Converters.Platform.class,
            description = "meta, google or tiktok.")
    String platform;

    @Option(names = "--org", required = true, paramLabel = "ORG", converter = Converters.Org.class,
            description = "The organization's UUID.")
    OrgId org;

    @Option(names = "--kind", paramLabel = "KIND",
            description = "Token kind; TikTok: advertiser (default) or tt_user (account holders). Others: user.")
    String kind;

    /** The token kind asked for, or the platform's default; a kind the platform does not have is a usage error. */
    String tokenKind(PlatformConnector connector) {
        String chosen = kind == null ? connector.tokenKinds().get(0) : kind;
        if (!connector.tokenKinds().contains(chosen)) {
            throw new UsageException("--kind '" + chosen + "' is not a " + platform + " token kind; use one of "
                    + String.join(", ", connector.tokenKinds()));
        }
        return chosen;
    }
}
