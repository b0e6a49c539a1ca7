package io.cmis.platform.platforms.meta;

import java.util.Map;

/** Meta's numeric {@code account_status}, in words. */
final class MetaAccountStatus {
    private static final Map<Integer, String> NAMES = Map.of(
            1, "active", 2, "disabled", 3, "unsettled", 7, "pending_risk_review", 8, "pending_settlement",
            9, "in_grace_period", 100, "pending_closure", 101, "closed", 201, "any_active", 202, "any_closed");

    private MetaAccountStatus() {
    }

    static String readable(int status) {
        return NAMES.getOrDefault(status, "unknown");
    }
}
