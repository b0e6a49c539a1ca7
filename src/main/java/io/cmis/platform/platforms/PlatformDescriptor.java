package io.cmis.platform.platforms;

import io.cmis.platform.config.AppConfig;

import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A platform's static facts, as data: its id and name, the token kinds it issues with the refresh
 * mode and PKCE of each, and the APIs the application may call through serve's proxy with how each
 * base is derived from the configuration. One per platform package ({@code DESCRIPTOR} of its
 * connector); {@link PlatformConnector}'s defaults answer from it, so a connector holds behaviour
 * only. Nango keeps its providers as data in the same way.
 */
public record PlatformDescriptor(String id, String displayName, List<TokenKind> tokenKinds, List<ApiBase> apis,
                                 List<ProxyApi> proxyApis) {
    private static final Pattern PLACEHOLDER = Pattern.compile("\\{([a-z0-9.-]+)}");

    public PlatformDescriptor {
        if (!id.matches("[a-z][a-z0-9]*")) {
            throw new IllegalArgumentException("a platform id is lower-case letters and digits: " + id);
        }
        if (tokenKinds.isEmpty()) {
            throw new IllegalArgumentException(id + " declares no token kind");
        }
        tokenKinds = List.copyOf(tokenKinds);
        apis = List.copyOf(apis);
        proxyApis = List.copyOf(proxyApis);
        unique(id, "token kind", tokenKinds.stream().map(TokenKind::name).toList());
        unique(id, "proxy API", apis.stream().map(ApiBase::name).toList());
    }

    /** The static facts, before configuration: {@link #proxyApis()} is empty until {@link #configured}. */
    public PlatformDescriptor(String id, String displayName, List<TokenKind> tokenKinds, List<ApiBase> apis) {
        this(id, displayName, tokenKinds, apis, List.of());
    }

    /** A kind of token the platform issues: how it is renewed, and whether its authorization takes PKCE (S256). */
    public record TokenKind(String name, RefreshMode refreshMode, boolean pkce) {
        public static TokenKind of(String name, RefreshMode refreshMode) {
            return new TokenKind(name, refreshMode, false);
        }
    }

    /**
     * One API of {@link ProxyApi}, before configuration: {@code url} is a template of configuration
     * keys in braces ({@code {meta.graph-url}/{meta.api-version}}), read at start-up, trimmed, a base
     * URL without its trailing slash; header values are templates the same way
     * ({@code LinkedIn-Version: {linkedin.api-version}}), so a version stays one config key.
     */
    public record ApiBase(String name, String url, Map<String, String> headers, boolean methodOverride) {
        public ApiBase {
            if (!url.startsWith("{")) {
                throw new IllegalArgumentException("a proxy API's base comes from the configuration: " + url);
            }
            headers = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(headers));
        }

        public ApiBase(String name, String url, Map<String, String> headers) {
            this(name, url, headers, false);
        }

        public static ApiBase of(String name, String url) {
            return new ApiBase(name, url, Map.of());
        }

        /** The same API, documented to take a PATCH as a POST with {@code X-HTTP-Method-Override: PATCH}. */
        public ApiBase withMethodOverride() {
            return new ApiBase(name, url, headers, true);
        }

        /** The configuration keys the base and the headers are read from. */
        public List<String> keys() {
            List<String> keys = new java.util.ArrayList<>(placeholders(url));
            headers.values().forEach(v -> keys.addAll(placeholders(v)));
            return keys;
        }

        ProxyApi configured(AppConfig config) {
            Map<String, String> values = new LinkedHashMap<>();
            headers.forEach((k, v) -> values.put(k, fill(v, config)));
            return new ProxyApi(name, fill(url, config), values, methodOverride);
        }
    }

    /** The default token kind: the first. */
    public String defaultTokenKind() {
        return tokenKinds.get(0).name();
    }

    public List<String> tokenKindNames() {
        return tokenKinds.stream().map(TokenKind::name).toList();
    }

    /**
     * The named kind; an unknown name is answered as the default kind, as the connectors did before
     * the descriptor (each answered one refresh mode whatever the kind, or the default's).
     */
    public TokenKind tokenKind(String name) {
        return tokenKinds.stream().filter(k -> k.name().equals(name)).findFirst().orElse(tokenKinds.get(0));
    }

    /**
     * These facts with the proxy's APIs at the configured bases, versions and headers
     * ({@link #proxyApis()}); what a connector built from {@code config} answers.
     */
    public PlatformDescriptor configured(AppConfig config) {
        return new PlatformDescriptor(id, displayName, tokenKinds, apis,
                apis.stream().map(a -> a.configured(config)).toList());
    }

    private static String fill(String template, AppConfig config) {
        Matcher m = PLACEHOLDER.matcher(template);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String value = config.value(m.group(1)).trim();
            if (m.start() == 0 && value.endsWith("/")) {
                value = value.substring(0, value.length() - 1);
            }
            m.appendReplacement(out, Matcher.quoteReplacement(value));
        }
        m.appendTail(out);
        return out.toString();
    }

    private static List<String> placeholders(String template) {
        Matcher m = PLACEHOLDER.matcher(template);
        List<String> keys = new java.util.ArrayList<>();
        while (m.find()) {
            keys.add(m.group(1));
        }
        return keys;
    }

    private static void unique(String id, String what, List<String> names) {
        if (new HashSet<>(names).size() != names.size()) {
            throw new IllegalArgumentException(id + " declares a " + what + " twice: " + names);
        }
    }
}
