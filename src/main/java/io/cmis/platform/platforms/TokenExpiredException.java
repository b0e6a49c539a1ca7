package io.cmis.platform.platforms;

/** The access token has expired; a refresh (where the platform has one) may fix it. */
public class TokenExpiredException extends PlatformException {
    public TokenExpiredException(String platform, String endpoint, String errorCode, String message) {
        super(platform, endpoint, errorCode, message);
    }

    @Override
    public String outcome() {
        return "token";
    }
}
