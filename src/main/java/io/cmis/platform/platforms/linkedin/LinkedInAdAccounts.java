package io.cmis.platform.platforms.linkedin;

import com.fasterxml.jackson.databind.JsonNode;
import io.cmis.platform.platforms.CallContext;
import io.cmis.platform.platforms.DiscoveredAdAccount;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The ad accounts the member can use: the member's account roles ({@code adAccountUsers}), then the
 * accounts' details from {@code adAccounts?q=search}. Whether a search without criteria lists every
 * account the member can use is not confirmed, so an account the roles name and the search did not
 * return is read on its own. LinkedIn's ad accounts have no time zone: none is invented.
 */
final class LinkedInAdAccounts {
    static final String USERS = "/rest/adAccountUsers";
    static final String ACCOUNTS = "/rest/adAccounts";
    static final String ACCOUNT_URN = "urn:li:sponsoredAccount:";

    private final LinkedInApi api;

    LinkedInAdAccounts(LinkedInApi api) {
        this.api = api;
    }

    List<DiscoveredAdAccount> usable(CallContext context) {
        Set<String> ids = new LinkedHashSet<>();
        api.eachByStart(USERS, Map.of("q", "authenticatedUser"), context, user -> {
            String account = user.path("account").asText("");
            if (account.startsWith(ACCOUNT_URN)) {
                ids.add(RestLi.idOf(account));
            }
        });
        Map<String, JsonNode> found = new LinkedHashMap<>();
        api.eachByToken(ACCOUNTS, Map.of("q", "search"), context, a -> found.put(a.path("id").asText(), a));
        for (String id : ids) {
            if (!found.containsKey(id)) {
                found.put(id, api.call(api.get(ACCOUNTS + "/{id}", context).path("id", id).build()));
            }
        }
        List<DiscoveredAdAccount> accounts = new ArrayList<>();
        found.values().forEach(a -> accounts.add(account(a)));
        return accounts;
    }

    /**
     * The owning Page or person ({@code reference}, optional) goes where the SPI keeps an account's
     * owner; there is no time zone to store.
     */
    private static DiscoveredAdAccount account(JsonNode a) {
        String status = a.path("status").asText("UNKNOWN");
        return new DiscoveredAdAccount(ACCOUNT_URN + a.path("id").asText(), a.path("name").asText(null),
                a.path("currency").asText(null), null, readable(status, a.path("servingStatuses")), status, false,
                Optional.ofNullable(a.path("reference").asText(null)));
    }

    /** The status in words; an active account that cannot serve (a billing hold, ...) says why. */
    static String readable(String status, JsonNode serving) {
        String base = switch (status) {
            case "ACTIVE" -> "active";
            case "CANCELED" -> "closed";
            case "DRAFT" -> "draft";
            case "PENDING_DELETION" -> "pending_deletion";
            case "REMOVED" -> "removed";
            default -> status.toLowerCase(Locale.ROOT);
        };
        if (base.equals("active") && serving.isArray() && serving.size() > 0
                && !"RUNNABLE".equals(serving.get(0).asText())) {
            return "on_hold";
        }
        return base;
    }
}
