package io.cmis.platform.platforms.tiktok;

import java.util.Locale;
import java.util.Map;

/** TikTok advertiser {@code status} values, in words. */
final class TikTokStatus {
    private static final Map<String, String> NAMES = Map.of(
            "STATUS_ENABLE", "active", "STATUS_DISABLE", "disabled", "STATUS_PENDING_CONFIRM", "pending_review",
            "STATUS_PENDING_VERIFIED", "pending_review", "STATUS_CONFIRM_FAIL", "rejected",
            "STATUS_LIMIT", "limited", "STATUS_SELF_SERVICE_UNAUDITED", "pending_review");

    private TikTokStatus() {
    }

    static String readable(String status) {
        return NAMES.getOrDefault(status, status.toLowerCase(Locale.ROOT).replace("status_", ""));
    }
}
