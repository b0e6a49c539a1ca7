package io.cmis.platform.platforms;

/**
 * The platform refuses this installation's configuration, not the request: every call fails the
 * same way until an operator changes a key (LinkedIn's 426 for a retired {@code linkedin.api-version}).
 * Logged with its own outcome, so health reports it critical with the fix instead of counting it
 * among ordinary failures.
 */
public class ConfigurationPlatformException extends PermanentPlatformException {
    public ConfigurationPlatformException(String platform, String endpoint, String errorCode, String message) {
        super(platform, endpoint, errorCode, message);
    }

    @Override
    public String outcome() {
        return "configuration";
    }
}
