package io.cmis.platform.platforms.google;

import io.cmis.platform.config.AppConfig;
import io.cmis.platform.config.ConfigException;

import java.util.Optional;
import java.util.regex.Pattern;

/** The Google app and endpoints: {@code google.*}. */
record GoogleSettings(String clientId, String clientSecret, String authUrl, String tokenUrl, String userinfoUrl,
                      String adsUrl, String adsApiVersion, String youtubeUrl, Optional<String> developerToken,
                      Optional<String> loginCustomerId, String pubsubAudience, String pubsubJwksUrl,
                      String pubsubServiceAccount) {
    private static final Pattern VERSION = Pattern.compile("v\\d{2}");

    static GoogleSettings from(AppConfig config) {
        String version = config.value("google.ads-api-version");
        if (!VERSION.matcher(version).matches()) {
            throw new ConfigException("google.ads-api-version: '" + version + "' must look like v26");
        }
        String login = config.value("google.ads-login-customer-id").replace("-", "");
        if (!login.isEmpty() && !login.matches("\\d{10}")) {
            throw new ConfigException("google.ads-login-customer-id: must be a 10-digit customer id");
        }
        return new GoogleSettings(config.value("google.client-id"), config.value("google.client-secret"),
                config.value("google.auth-url"), config.value("google.token-url"), config.value("google.userinfo-url"),
                config.value("google.ads-url"), version, config.value("google.youtube-url"),
                optional(config.value("google.ads-developer-token")), optional(login),
                config.value("google.pubsub-audience"), config.value("google.pubsub-jwks-url"),
                config.value("google.pubsub-service-account").trim());
    }

    private static Optional<String> optional(String value) {
        return value.isBlank() ? Optional.empty() : Optional.of(value);
    }

    @Override
    public String toString() {
        return "GoogleSettings[clientId=" + clientId + ", adsApiVersion=" + adsApiVersion + "]";
    }
}
