package io.cmis.platform.platforms.snapchat;

import java.util.Locale;
import java.util.Map;

/**
 * Ad-account {@code status} in words. Only a secondary source lists values (ACTIVE, PAUSED,
 * DISABLED), so any other value is kept, lower-cased, rather than refused.
 */
final class SnapchatAccountStatus {
    private static final Map<String, String> NAMES = Map.of("ACTIVE", "active", "PAUSED", "paused",
            "DISABLED", "disabled");

    private SnapchatAccountStatus() {
    }

    static String readable(String status) {
        if (status == null || status.isBlank()) {
            return "unknown";
        }
        String upper = status.trim().toUpperCase(Locale.ROOT);
        return NAMES.getOrDefault(upper, upper.toLowerCase(Locale.ROOT));
    }
}
