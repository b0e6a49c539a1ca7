package io.cmis.platform.tokens;

/** The token had to be refreshed before a call and could not be; the detail says why. */
public class TokenRefreshFailedException extends RuntimeException {
    private final boolean needsReauth;

    public TokenRefreshFailedException(String detail, boolean needsReauth) {
        super("the token could not be refreshed before the call: " + detail);
        this.needsReauth = needsReauth;
    }

    /** True when the grant is dead and the integration was marked needs_reauth. */
    public boolean needsReauth() {
        return needsReauth;
    }
}
