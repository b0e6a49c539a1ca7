package io.cmis.platform.platforms.x;

import io.cmis.platform.config.AppConfig;
import io.cmis.platform.config.ConfigException;
import io.cmis.platform.crypto.Secret;

import java.net.URI;
import java.util.Optional;

/** The X app and its two hosts: {@code x.*}. The consumer secret signs, so it travels as a {@link Secret}. */
record XSettings(String consumerKey, Optional<Secret> consumerSecret, String apiVersion, String apiUrl,
                 String adsApiUrl) {
    static XSettings from(AppConfig config) {
        String version = config.value("x.ads-api-version").trim();
        if (!version.matches("[1-9][0-9]{0,2}")) {
            throw new ConfigException("x.ads-api-version: '" + version + "' must be a major version number, such as 12");
        }
        String secret = config.value("x.consumer-secret");
        return new XSettings(config.value("x.consumer-key").trim(),
                secret.isBlank() ? Optional.empty() : Optional.of(Secret.of(secret)),
                version, url(config, "x.api-url"), url(config, "x.ads-api-url"));
    }

    boolean configured() {
        return !consumerKey.isEmpty() && consumerSecret.isPresent();
    }

    OAuth1Signer.Consumer consumer() {
        if (!configured()) {
            throw new io.cmis.platform.platforms.ConfigurationPlatformException(XConnector.ID, "-", "not_configured",
                    "set x.consumer-key and x.consumer-secret to the X app's API key and secret");
        }
        return new OAuth1Signer.Consumer(consumerKey, consumerSecret.get());
    }

    private static String url(AppConfig config, String key) {
        String value = config.value(key).trim();
        try {
            URI uri = URI.create(value);
            if (uri.getScheme() == null || uri.getHost() == null
                    || !(uri.getScheme().equals("https") || uri.getScheme().equals("http"))) {
                throw new IllegalArgumentException();
            }
            return value.endsWith("/") ? value.substring(0, value.length() - 1) : value;
        } catch (IllegalArgumentException e) {
            throw new ConfigException(key + ": '" + value + "' must be an http(s) URL, such as https://api.x.com");
        }
    }

    @Override
    public String toString() {
        return "XSettings[consumerKey=" + consumerKey + ", adsApiUrl=" + adsApiUrl + ", version=" + apiVersion + "]";
    }
}
