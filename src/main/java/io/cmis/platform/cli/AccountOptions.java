package io.cmis.platform.cli;

import io.cmis.platform.platforms.PlatformConnector;
import io.cmis.platform.tenancy.OrgId;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** PLATFORM, {@code --org} and {@code --kind}: which account of which org a token is for (a picocli mixin). */
final class AccountOptions {
    @Parameters(index = "0", paramLabel = "PLATFORM", converter = Converters.Platform.class,
            description = "${bundle:cmis.platform-ids}.")
    String platform;

    @Option(names = "--org", required = true, paramLabel = "ORG", converter = Converters.Org.class,
            description = "The organization's UUID.")
    OrgId org;

    @Option(names = "--kind", paramLabel = "KIND",
            description = "Token kind; TikTok: advertiser (the default without a refresh token) or tt_user (account "
                    + "holders; the default with --refresh-token). Others: user.")
    String kind;

    /**
     * The kind of an imported token: the one asked for, else the first kind that can use what was
     * given (a refresh token needs a kind that refreshes). A kind whose tokens never expire, given
     * a refresh token or an expiry, is a usage error naming the kind that fits: stored as it was, the
     * token would die with no one renewing it.
     */
    String importedKind(PlatformConnector connector, boolean refreshToken, boolean expires) {
        java.util.List<String> renewing = connector.tokenKinds().stream()
                .filter(k -> renews(connector.refreshMode(k))).toList();
        if (kind == null) {
            return refreshToken && !renewing.isEmpty() ? renewing.get(0) : tokenKind(connector);
        }
        String chosen = tokenKind(connector);
        if (connector.refreshMode(chosen) == io.cmis.platform.platforms.RefreshMode.NEVER_EXPIRES
                && (refreshToken || expires)) {
            throw new UsageException("--kind " + chosen + ": " + platform + " " + chosen + " tokens never expire and "
                    + "have no refresh token, but " + (refreshToken ? "--refresh-token" : "--expires-in") + " was given"
                    + (renewing.isEmpty() ? "; leave it out" : "; a token with them is a " + renewing.get(0)
                    + " token: use --kind " + renewing.get(0)));
        }
        return chosen;
    }

    private static boolean renews(io.cmis.platform.platforms.RefreshMode mode) {
        return mode == io.cmis.platform.platforms.RefreshMode.REFRESH_TOKEN
                || mode == io.cmis.platform.platforms.RefreshMode.ROTATING_REFRESH_TOKEN;
    }

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
