package io.cmis.platform.platforms;

/** The grant is revoked or dead (invalid_grant, Meta 190, TikTok 40105): only the user reconnecting fixes it. */
public class ReauthRequiredException extends PlatformException {
    public ReauthRequiredException(String platform, String endpoint, String errorCode, String message) {
        super(platform, endpoint, errorCode, message);
    }

    @Override
    public String outcome() {
        return "token";
    }
}
