package io.cmis.platform.platforms.tiktok;

import io.cmis.platform.config.AppConfig;

/** The TikTok for Business app and endpoints: {@code tiktok.*}. */
record TikTokSettings(String appId, String secret, String apiUrl, String authUrl, String accountAuthUrl) {
    static TikTokSettings from(AppConfig config) {
        return new TikTokSettings(config.value("tiktok.app-id"), config.value("tiktok.secret"),
                config.value("tiktok.api-url"), config.value("tiktok.auth-url"), config.value("tiktok.account-auth-url"));
    }

    @Override
    public String toString() {
        return "TikTokSettings[appId=" + appId + "]";
    }
}
