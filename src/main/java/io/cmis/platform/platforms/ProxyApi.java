package io.cmis.platform.platforms;

import java.util.Map;

/**
 * One API of a platform that the application may call through serve's proxy
 * ({@code /api/v1/proxy/{integration}/{name}/{path…}}), declared as data by its connector: its name
 * (Meta {@code graph}, Google {@code ads} and {@code youtube}, ...), its base URL from the
 * configuration <em>at the configured API version</em> (a proxied path is relative to it, so upgrading
 * a version stays one config key for the tool and the application alike), the headers every call
 * to it carries besides authentication (LinkedIn's {@code LinkedIn-Version} and Rest.li protocol), and
 * whether it documents {@code X-HTTP-Method-Override} on a POST ({@code methodOverride}): the
 * transport cannot send PATCH itself, so only such an API is passed a PATCH (Google's, which its own
 * client library sends that way); any other answers the application 405.
 */
public record ProxyApi(String name, String baseUrl, Map<String, String> headers, boolean methodOverride) {
    public ProxyApi {
        if (!name.matches("[a-z][a-z0-9-]*")) {
            throw new IllegalArgumentException("a proxy API name is lower-case letters, digits and '-': " + name);
        }
        headers = Map.copyOf(headers);
    }

    public ProxyApi(String name, String baseUrl, Map<String, String> headers) {
        this(name, baseUrl, headers, false);
    }

    public static ProxyApi of(String name, String baseUrl) {
        return new ProxyApi(name, baseUrl, Map.of());
    }

    /** The same API, documented to take a PATCH as a POST with {@code X-HTTP-Method-Override: PATCH}. */
    public ProxyApi withMethodOverride() {
        return new ProxyApi(name, baseUrl, headers, true);
    }
}
