package io.cmis.platform.sandbox;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.UUID;

/**
 * The Snapchat simulator's entities as Snap writes them: UUID ids, IANA time zones, currencies
 * other than USD, millisecond ISO timestamps with a Z, test accounts, statuses outside the
 * documented few, and fields a client does not know.
 */
final class SnapchatSeed {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> STATUSES = List.of("ACTIVE", "PAUSED", "DISABLED", "PENDING_REVIEW");
    private static final List<String> CURRENCIES = List.of("USD", "EUR", "GBP");
    private static final List<String> ZONES = List.of("America/Los_Angeles", "Europe/Paris", "Asia/Tokyo");

    private SnapchatSeed() {
    }

    static String uuid(String seed) {
        return UUID.nameUUIDFromBytes(seed.getBytes(StandardCharsets.UTF_8)).toString();
    }

    static String organizationId(int i) {
        return uuid("organization-" + i);
    }

    static String adAccountId(int organization, int i) {
        return uuid("adaccount-" + organization + "-" + i);
    }

    static ObjectNode me(String id) {
        return JSON.createObjectNode().put("id", id).put("email", "jo@example.com").put("organization_id", organizationId(1))
                .put("display_name", "Jo Sandbox").put("snapchat_username", "jo_sandbox").put("member_status", "MEMBER")
                .set("bitmoji", JSON.createObjectNode().put("avatar_id", "sandbox-avatar"));
    }

    static ObjectNode organization(int i) {
        return JSON.createObjectNode().put("id", organizationId(i)).put("name", "Sandbox Organization " + i)
                .put("type", "ENTERPRISE").put("country", "US").put("locality", "Santa Monica")
                .put("created_at", "2026-01-0" + (1 + i % 9) + "T10:00:00.000Z").put("my_display_name", "Jo");
    }

    static ObjectNode adAccount(int organization, int a) {
        return JSON.createObjectNode().put("id", adAccountId(organization, a))
                .put("name", "Sandbox Ad Account " + organization + "." + a).put("type", "PARTNER")
                .put("organization_id", organizationId(organization))
                .put("currency", CURRENCIES.get(a % 3)).put("timezone", ZONES.get(a % 3))
                .put("status", STATUSES.get((organization + a) % STATUSES.size()))
                .put("test", a % 5 == 0).put("billing_type", "REVOLVING").put("lifetime_spend_cap_micro", 0)
                .put("created_at", "2026-02-01T08:30:00.000Z").put("updated_at", "2026-02-03T09:15:42.123Z")
                .put("advertiser", "Sandbox Advertiser").put("agency_representing_client", false);
    }

    static ObjectNode profile(int i) {
        return JSON.createObjectNode().put("id", uuid("profile-" + i)).put("organization_id", organizationId(1))
                .put("display_name", "Sandbox Profile " + i).put("snap_user_name", "sandbox_profile_" + i)
                .put("profile_tier", "TIER_PUBLIC_OFFICIAL").put("subscriber_count", 1000 + i);
    }
}
