package io.cmis.platform.platforms;

import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

/** Builds an authorization URL from a base, a path and encoded parameters. */
public final class UriBuilder {
    private final StringBuilder url;
    private char separator = '?';

    private UriBuilder(String base, String path) {
        // A full URL (empty path) is kept as written: some platforms need its trailing slash.
        boolean join = !path.isEmpty() && base.endsWith("/");
        this.url = new StringBuilder(join ? base.substring(0, base.length() - 1) : base).append(path);
    }

    public static UriBuilder of(String base, String path) {
        return new UriBuilder(base, path);
    }

    public UriBuilder param(String name, String value) {
        if (value == null || value.isEmpty()) {
            return this;
        }
        url.append(separator).append(URLEncoder.encode(name, StandardCharsets.UTF_8)).append('=')
                .append(URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20"));
        separator = '&';
        return this;
    }

    public URI build() {
        return URI.create(url.toString());
    }
}
