package io.cmis.platform.platforms.meta;

import io.cmis.platform.config.AppConfig;
import io.cmis.platform.config.ConfigException;

import java.util.regex.Pattern;

/** The Meta app and endpoints: {@code meta.*}. */
record MetaSettings(String clientId, String clientSecret, String verifyToken, String apiVersion, String graphUrl,
                    String dialogUrl) {
    private static final Pattern VERSION = Pattern.compile("v\\d{2}\\.0");

    static MetaSettings from(AppConfig config) {
        String version = config.value("meta.api-version");
        if (!VERSION.matcher(version).matches()) {
            throw new ConfigException("meta.api-version: '" + version + "' must look like v25.0");
        }
        return new MetaSettings(config.value("meta.client-id"), config.value("meta.client-secret"),
                config.value("meta.verify-token"), version,
                config.value("meta.graph-url"), config.value("meta.dialog-url"));
    }

    @Override
    public String toString() {
        return "MetaSettings[clientId=" + clientId + ", apiVersion=" + apiVersion + "]";
    }
}
