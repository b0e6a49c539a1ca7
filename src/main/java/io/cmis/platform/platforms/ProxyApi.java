package io.cmis.platform.platforms;

import java.util.Map;

/**
 * One API of a platform that the application may call through serve's proxy
 * ({@code /api/v1/proxy/{integration}/{name}/{path…}}), declared as data by its connector: its name
 * (Meta {@code graph}, Google {@code ads} and {@code youtube}, ...), its base URL from the
 * configuration <em>at the configured API version</em> (a proxied path is relative to it, so upgrading
 * a version stays one config key for the tool and the application alike), and the headers every call
 * to it carries besides authentication (LinkedIn's {@code LinkedIn-Version} and Rest.li protocol).
 */
public record ProxyApi(String name, String baseUrl, Map<String, String> headers) {
    public ProxyApi {
        if (!name.matches("[a-z][a-z0-9-]*")) {
            throw new IllegalArgumentException("a proxy API name is lower-case letters, digits and '-': " + name);
        }
        headers = Map.copyOf(headers);
    }

    public static ProxyApi of(String name, String baseUrl) {
        return new ProxyApi(name, baseUrl, Map.of());
    }
}
