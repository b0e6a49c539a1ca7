package io.cmis.platform.platforms.tiktok;

import io.cmis.platform.config.AppConfig;

/** The TikTok for Business app and endpoints: {@code tiktok.*}. */
record TikTokSettings(String appId, String secret, String webhookSecret, String apiUrl, String authUrl,
                      String accountAuthUrl) {
    static TikTokSettings from(AppConfig config) {
        String webhookSecret = config.value("tiktok.webhook-secret");
        return new TikTokSettings(config.value("tiktok.app-id"), config.value("tiktok.secret"),
                webhookSecret.isBlank() ? config.value("tiktok.secret") : webhookSecret,
                config.value("tiktok.api-url"), config.value("tiktok.auth-url"), config.value("tiktok.account-auth-url"));
    }

    @Override
    public String toString() {
        return "TikTokSettings[appId=" + appId + "]";
    }
}
