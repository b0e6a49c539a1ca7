package io.cmis.platform.platforms.linkedin;

import io.cmis.platform.config.AppConfig;
import io.cmis.platform.config.ConfigException;

import java.util.regex.Pattern;

/** The LinkedIn app and endpoints: {@code linkedin.*}. */
record LinkedInSettings(String clientId, String clientSecret, String apiVersion, String authUrl, String apiUrl) {
    static final String VERSION_KEY = "linkedin.api-version";
    /** {@code LinkedIn-Version} is a month, YYYYMM; LinkedIn answers 426 to one it no longer serves. */
    private static final Pattern VERSION = Pattern.compile("20\\d\\d(0[1-9]|1[0-2])");

    static LinkedInSettings from(AppConfig config) {
        String version = config.value(VERSION_KEY);
        if (!VERSION.matcher(version).matches()) {
            throw new ConfigException(VERSION_KEY + ": '" + version + "' must be a LinkedIn-Version month like 202603 "
                    + "(YYYYMM)");
        }
        return new LinkedInSettings(config.value("linkedin.client-id"), config.value("linkedin.client-secret"), version,
                config.value("linkedin.auth-url"), config.value("linkedin.api-url"));
    }

    @Override
    public String toString() {
        return "LinkedInSettings[clientId=" + clientId + ", apiVersion=" + apiVersion + "]";
    }
}
