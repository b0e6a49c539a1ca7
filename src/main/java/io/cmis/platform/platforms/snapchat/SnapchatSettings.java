package io.cmis.platform.platforms.snapchat;

import io.cmis.platform.config.AppConfig;
import io.cmis.platform.config.ConfigException;

import java.net.URI;
import java.util.Arrays;
import java.util.List;

/** The Snapchat app and its three hosts: {@code snapchat.*}. */
record SnapchatSettings(String clientId, String clientSecret, List<String> scopes, String authUrl, String apiUrl,
                        String profileApiUrl) {
    static SnapchatSettings from(AppConfig config) {
        return new SnapchatSettings(config.value("snapchat.client-id"), config.value("snapchat.client-secret"),
                scopes(config.value("snapchat.scopes")), url(config, "snapchat.auth-url"),
                url(config, "snapchat.api-url"), url(config, "snapchat.profile-api-url"));
    }

    /** Snapchat separates scopes with spaces; a comma-separated list (as the other platforms' keys are) is read too. */
    static List<String> scopes(String text) {
        return Arrays.stream(text.split("[\\s,]+")).filter(s -> !s.isEmpty()).distinct().toList();
    }

    /** A base URL is scheme and host (and port), so that next_link hosts can be compared with it. */
    private static String url(AppConfig config, String key) {
        String value = config.value(key);
        try {
            URI uri = URI.create(value);
            if (uri.getScheme() == null || uri.getHost() == null
                    || !(uri.getScheme().equals("https") || uri.getScheme().equals("http"))) {
                throw new IllegalArgumentException();
            }
            return value.endsWith("/") ? value.substring(0, value.length() - 1) : value;
        } catch (IllegalArgumentException e) {
            throw new ConfigException(key + ": '" + value + "' must be an http(s) URL, such as "
                    + "https://adsapi.snapchat.com");
        }
    }

    @Override
    public String toString() {
        return "SnapchatSettings[clientId=" + clientId + ", apiUrl=" + apiUrl + "]";
    }
}
