package io.cmis.platform.platforms;

import java.net.URI;

/**
 * What the first leg of a three-legged (OAuth 1.0a) connect flow got from the platform: the request
 * token, which then plays the part our own state plays in OAuth 2, and where to send the user.
 */
public record ConnectFirstLeg(RequestToken requestToken, URI authorizationUrl) {
    @Override
    public String toString() {
        return "ConnectFirstLeg[***]";
    }
}
