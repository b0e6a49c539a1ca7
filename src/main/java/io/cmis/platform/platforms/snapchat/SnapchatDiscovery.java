package io.cmis.platform.platforms.snapchat;

import com.fasterxml.jackson.databind.JsonNode;
import io.cmis.platform.platforms.CallContext;
import io.cmis.platform.platforms.DiscoveredAdAccount;
import io.cmis.platform.platforms.DiscoveredChannel;
import io.cmis.platform.platforms.PartialDiscoveryException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Ad accounts from the organizations the user belongs to ({@code with_ad_accounts=true} nests them
 * bare in each organization), and Public Profiles from the Public Profile API when the grant has
 * its scope. An organization or profile whose {@code sub_request_status} fails, or paging that
 * cannot be finished, makes the answer incomplete: that is reported as an error carrying what was
 * found, never passed off as everything there is.
 */
final class SnapchatDiscovery {
    static final String ORGANIZATIONS = "/v1/me/organizations";
    static final String PROFILES = "/v1/me/public_profiles";
    static final String PROFILE_SCOPE = "snapchat-profile-api";
    private static final Logger log = LoggerFactory.getLogger(SnapchatDiscovery.class);
    /** Failures named in a message; the exception carries them all. */
    private static final int NAMED = 5;

    private final SnapchatSettings settings;
    private final SnapchatPaging paging;

    SnapchatDiscovery(SnapchatSettings settings, SnapchatPaging paging) {
        this.settings = settings;
        this.paging = paging;
    }

    List<DiscoveredAdAccount> adAccounts(CallContext context) {
        SnapchatPaging.Pages pages = paging.fetch(context, settings.apiUrl(), ORGANIZATIONS,
                Map.of("with_ad_accounts", "true"));
        Map<String, DiscoveredAdAccount> found = new LinkedHashMap<>();
        List<String> failed = new ArrayList<>();
        int organizations = 0;
        for (JsonNode body : pages.bodies()) {
            for (SnapchatEnvelope.Item organization : SnapchatEnvelope.items(body, "organizations", "organization")) {
                organizations++;
                if (!organization.ok()) {
                    failed.add("organization " + organization.name(organizations) + " ("
                            + organization.failure().get() + ")");
                    continue;
                }
                int position = 0;
                for (JsonNode element : organization.entity().path("ad_accounts")) {
                    // Documented bare; read the wrapped shape of /adaccounts too, should it appear here.
                    SnapchatEnvelope.Item account = SnapchatEnvelope.item(element, "adaccount");
                    position++;
                    if (account.ok()) {
                        found.putIfAbsent(account.entity().path("id").asText(), adAccount(account.entity()));
                    } else {
                        failed.add("ad account " + account.name(position) + " of organization "
                                + organization.name(organizations) + " (" + account.failure().get() + ")");
                    }
                }
            }
        }
        pages.incomplete().ifPresent(failed::add);
        List<DiscoveredAdAccount> accounts = new ArrayList<>(found.values());
        if (!failed.isEmpty()) {
            throw partial(ORGANIZATIONS, failed, List.of(), accounts, organizations + " organization(s)");
        }
        return accounts;
    }

    List<DiscoveredChannel> profiles(CallContext context) {
        if (!SnapchatSettings.scopes(String.join(" ", context.scopes())).contains(PROFILE_SCOPE)) {
            // Not an error: the user did not grant Public Profiles (or the grant's scopes are not known).
            log.info("snapchat integration {}: Public Profiles skipped, the grant does not include {}",
                    context.integrationId(), PROFILE_SCOPE);
            return List.of();
        }
        SnapchatPaging.Pages pages = paging.fetch(context, settings.profileApiUrl(), PROFILES, Map.of());
        Map<String, DiscoveredChannel> found = new LinkedHashMap<>();
        List<String> failed = new ArrayList<>();
        int position = 0;
        for (JsonNode body : pages.bodies()) {
            for (SnapchatEnvelope.Item profile : SnapchatEnvelope.items(body, "public_profiles", "public_profile")) {
                position++;
                if (profile.ok()) {
                    found.putIfAbsent(profile.entity().path("id").asText(), channel(profile.entity()));
                } else {
                    failed.add("public profile " + profile.name(position) + " (" + profile.failure().get() + ")");
                }
            }
        }
        pages.incomplete().ifPresent(failed::add);
        List<DiscoveredChannel> channels = new ArrayList<>(found.values());
        if (!failed.isEmpty()) {
            throw partial(PROFILES, failed, channels, List.of(), position + " public profile(s)");
        }
        return channels;
    }

    private static PartialDiscoveryException partial(String endpoint, List<String> failed,
                                                     List<DiscoveredChannel> channels,
                                                     List<DiscoveredAdAccount> accounts, String read) {
        String named = String.join("; ", failed.subList(0, Math.min(NAMED, failed.size())))
                + (failed.size() > NAMED ? "; and " + (failed.size() - NAMED) + " more" : "");
        return new PartialDiscoveryException(SnapchatConnector.ID, endpoint, "partial",
                "incomplete answer, nothing is taken as removed: " + failed.size() + " failure(s) among " + read
                        + ": " + named, channels, accounts, failed);
    }

    private static DiscoveredAdAccount adAccount(JsonNode a) {
        String status = a.path("status").asText("").trim();
        return new DiscoveredAdAccount(a.path("id").asText(), text(a, "name"), text(a, "currency"), text(a, "timezone"),
                SnapchatAccountStatus.readable(status), status.isEmpty() ? null : status, false, Optional.empty());
    }

    private static DiscoveredChannel channel(JsonNode p) {
        Map<String, String> metadata = new LinkedHashMap<>();
        for (String field : List.of("snap_user_name", "organization_id", "profile_tier", "profile_type")) {
            String value = text(p, field);
            if (value != null) {
                metadata.put(field, value);
            }
        }
        String name = text(p, "display_name");
        return new DiscoveredChannel("snapchat_profile", p.path("id").asText(),
                name != null ? name : text(p, "snap_user_name"), Optional.empty(), Optional.empty(), metadata);
    }

    private static String text(JsonNode node, String field) {
        String value = node.path(field).asText("").trim();
        return value.isEmpty() ? null : value;
    }
}
