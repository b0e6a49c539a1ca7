package io.cmis.platform.platforms;

/** What "refresh" means for one kind of token on one platform. */
public enum RefreshMode {
    /** A refresh_token grant; the refresh token stays the same (Google). */
    REFRESH_TOKEN,
    /** A refresh_token grant that returns a new refresh token; the old one dies (TikTok account holders). */
    ROTATING_REFRESH_TOKEN,
    /** No refresh: the token can only be exchanged while valid, then the user must reconnect (Meta user tokens). */
    REAUTH_ONLY,
    /** The token does not expire (TikTok advertiser tokens, Meta page tokens); only revocation ends it. */
    NEVER_EXPIRES
}
