package io.cmis.platform.platforms.linkedin;

import com.fasterxml.jackson.databind.JsonNode;
import io.cmis.platform.platforms.CallContext;
import io.cmis.platform.platforms.DiscoveredChannel;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The LinkedIn Pages (organizations) the member administers: the member's access-control entries,
 * then the Pages' names in batches. A Page is known by its URN, as LinkedIn's webhooks name it.
 */
final class LinkedInPages {
    static final String ACLS = "/rest/organizationAcls";
    static final String ORGANIZATIONS = "/rest/organizations";
    static final String CHANNEL_TYPE = "linkedin_page";
    /** Ids per batch lookup: keeps the URL far below LinkedIn's 8 KB limit. */
    static final int NAME_BATCH = 50;

    private final LinkedInApi api;

    LinkedInPages(LinkedInApi api) {
        this.api = api;
    }

    List<DiscoveredChannel> administered(CallContext context) {
        Set<String> urns = new LinkedHashSet<>();
        // The finder is asked for approved administrators only, and the answer is filtered all the
        // same: entries in other roles or states must never become channels.
        api.eachByStart(ACLS, Map.of("q", "roleAssignee", "role", "ADMINISTRATOR", "state", "APPROVED"), context, acl -> {
            if ("ADMINISTRATOR".equals(acl.path("role").asText()) && "APPROVED".equals(acl.path("state").asText())) {
                organization(acl).ifPresent(urns::add);
            }
        });
        Map<String, JsonNode> details = details(new ArrayList<>(urns), context);
        List<DiscoveredChannel> pages = new ArrayList<>();
        for (String urn : urns) {
            JsonNode page = details.get(RestLi.idOf(urn));
            Map<String, String> metadata = new HashMap<>();
            if (page != null && page.hasNonNull("vanityName")) {
                metadata.put("vanity_name", page.path("vanityName").asText());
            }
            pages.add(new DiscoveredChannel(CHANNEL_TYPE, urn, page == null ? null : name(page), Optional.empty(),
                    Optional.empty(), Map.copyOf(metadata)));
        }
        return pages;
    }

    /** The Page of an entry: {@code organization}, or {@code organizationTarget} in some answers (and older ones). */
    static Optional<String> organization(JsonNode acl) {
        for (String field : List.of("organization", "organizationTarget", "organizationalTarget")) {
            String urn = acl.path(field).asText("");
            if (urn.startsWith("urn:li:organization:")) {
                return Optional.of(urn);
            }
        }
        return Optional.empty();
    }

    /**
     * The Pages' details by id. A Page LinkedIn refuses inside the batch (a per-id status in a 200
     * answer) stays a channel without a name: the member administers it, only its name is unknown.
     */
    private Map<String, JsonNode> details(List<String> urns, CallContext context) {
        Map<String, JsonNode> byId = new HashMap<>();
        for (int from = 0; from < urns.size(); from += NAME_BATCH) {
            List<String> ids = urns.subList(from, Math.min(urns.size(), from + NAME_BATCH)).stream()
                    .map(RestLi::idOf).toList();
            JsonNode answer = api.call(api.getRestLi(ORGANIZATIONS, "ids=" + RestLi.list(ids), context).build());
            answer.path("results").fields().forEachRemaining(e -> byId.put(e.getKey(), e.getValue()));
        }
        return byId;
    }

    /** {@code localizedName}, else the preferred locale's entry of {@code name}, else any entry. */
    static String name(JsonNode page) {
        if (page.hasNonNull("localizedName")) {
            return page.path("localizedName").asText();
        }
        JsonNode localized = page.path("name").path("localized");
        JsonNode preferred = page.path("name").path("preferredLocale");
        String key = preferred.path("language").asText("") + "_" + preferred.path("country").asText("");
        if (localized.hasNonNull(key)) {
            return localized.path(key).asText();
        }
        return localized.elements().hasNext() ? localized.elements().next().asText() : null;
    }
}
