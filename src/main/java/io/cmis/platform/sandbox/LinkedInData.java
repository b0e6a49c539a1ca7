package io.cmis.platform.sandbox;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What the LinkedIn simulator's member can see, shaped as LinkedIn answers it, with the awkward cases
 * a naive client gets wrong: access-control entries in other roles and states, some naming their
 * Page as {@code organizationTarget}; ad accounts without a {@code reference}, test, canceled and on
 * billing hold; Pages whose lookup is refused inside a 200 batch answer.
 */
final class LinkedInData {
    static final long FIRST_PAGE = 5550000L;
    static final long FIRST_AD_ACCOUNT = 512000000L;
    private static final ObjectMapper JSON = new ObjectMapper();

    volatile int pages = 3;
    volatile int adAccounts = 4;
    final Set<Long> refusedPages = ConcurrentHashMap.newKeySet();

    /** Every entry of the member: the administered Pages, plus one revoked and one analyst entry every tenth. */
    List<ObjectNode> acls(String member) {
        List<ObjectNode> out = new ArrayList<>();
        for (int i = 1; i <= pages; i++) {
            out.add(acl(member, FIRST_PAGE + i, "ADMINISTRATOR", "APPROVED", i % 7 == 0));
            if (i % 10 == 0) {
                out.add(acl(member, FIRST_PAGE + 100000 + i, "ADMINISTRATOR", "REVOKED", false));
                out.add(acl(member, FIRST_PAGE + 200000 + i, "ANALYST", "APPROVED", false));
            }
        }
        return out;
    }

    private static ObjectNode acl(String member, long page, String role, String state, boolean target) {
        ObjectNode acl = JSON.createObjectNode().put("role", role).put("state", state).put("roleAssignee", member)
                .put(target ? "organizationTarget" : "organization", "urn:li:organization:" + page);
        acl.putObject("created").put("actor", member).put("time", 1629179860470L);
        acl.putObject("lastModified").put("actor", member).put("time", 1629179860470L);
        return acl;
    }

    /** A batch lookup's answer: results, statuses and errors by id, HTTP 200 even for refused ids. */
    ObjectNode organizations(List<String> ids) {
        ObjectNode body = JSON.createObjectNode();
        ObjectNode results = body.putObject("results");
        ObjectNode statuses = body.putObject("statuses");
        ObjectNode errors = body.putObject("errors");
        for (String id : ids) {
            long n = Long.parseLong(id);
            if (refusedPages.contains(n)) {
                statuses.put(id, 403);
                errors.putObject(id).put("status", 403).put("serviceErrorCode", 100).put("code", "ACCESS_DENIED")
                        .put("message", "Not enough permissions to access: organizations.BATCH_GET");
                continue;
            }
            long i = n - FIRST_PAGE;
            ObjectNode page = results.putObject(id).put("id", n).put("localizedName", "Sandbox Page " + i)
                    .put("vanityName", "sandbox-page-" + i).put("primaryOrganizationType", "NONE");
            ObjectNode name = page.putObject("name");
            name.putObject("localized").put("en_US", "Sandbox Page " + i);
            name.putObject("preferredLocale").put("country", "US").put("language", "en");
            statuses.put(id, 200);
        }
        return body;
    }

    /** The member's roles on ad accounts ({@code adAccountUsers?q=authenticatedUser}). */
    List<ObjectNode> accountUsers(String member) {
        List<ObjectNode> out = new ArrayList<>();
        for (int i = 1; i <= adAccounts; i++) {
            out.add(JSON.createObjectNode().put("account", "urn:li:sponsoredAccount:" + (FIRST_AD_ACCOUNT + i))
                    .put("user", member).put("role", i % 3 == 0 ? "VIEWER" : "ACCOUNT_MANAGER"));
        }
        return out;
    }

    List<ObjectNode> accounts() {
        List<ObjectNode> out = new ArrayList<>();
        for (int i = 1; i <= adAccounts; i++) {
            out.add(account(i));
        }
        return out;
    }

    /** Ad account {@code i}; note the absence of any time zone, as on LinkedIn. */
    ObjectNode account(int i) {
        ObjectNode a = JSON.createObjectNode().put("id", FIRST_AD_ACCOUNT + i).put("name", "Sandbox Ads " + i)
                .put("currency", i % 3 == 0 ? "EUR" : "USD").put("status", i % 7 == 0 ? "CANCELED" : "ACTIVE")
                .put("type", "BUSINESS").put("test", i == 2);
        if (i % 5 != 0) {
            a.put("reference", i % 4 == 0 ? "urn:li:person:sandboxOwner" : "urn:li:organization:" + (FIRST_PAGE + 1));
        }
        ArrayNode serving = a.putArray("servingStatuses");
        serving.add(i % 11 == 0 ? "BILLING_HOLD" : "RUNNABLE");
        a.putObject("version").put("versionTag", "2");
        return a;
    }
}
