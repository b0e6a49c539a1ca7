package io.cmis.platform.platforms;

/** The request itself is wrong or not allowed; repeating it cannot help. */
public class PermanentPlatformException extends PlatformException {
    public PermanentPlatformException(String platform, String endpoint, String errorCode, String message) {
        super(platform, endpoint, errorCode, message);
    }
}
