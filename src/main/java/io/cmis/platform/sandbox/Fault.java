package io.cmis.platform.sandbox;

/** Kinds of failure every simulator can play, each in its platform's own words. */
public enum Fault {
    /** 5xx or the platform's "try again" code. */
    TRANSIENT,
    /** The platform's throttling answer, with its usage headers. */
    RATE_LIMIT,
    /** The access token has expired. */
    TOKEN_EXPIRED,
    /** The grant was revoked (user removed the app, changed password, ...). */
    REVOKED,
    /** A bad request that no retry fixes. */
    PERMANENT
}
