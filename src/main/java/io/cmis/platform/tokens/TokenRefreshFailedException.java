package io.cmis.platform.tokens;

/** The token had to be refreshed before a call and could not be; the detail says why. */
public class TokenRefreshFailedException extends RuntimeException {
    public TokenRefreshFailedException(String detail) {
        super("the token could not be refreshed before the call: " + detail);
    }
}
