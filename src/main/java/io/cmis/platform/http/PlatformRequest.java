package io.cmis.platform.http;

import io.cmis.platform.crypto.Secret;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;

/**
 * One call to a platform, described before it is made. {@link #endpoint()} is the template
 * ({@code /{version}/me/accounts}) that goes into logs and the call log; the resolved path, the
 * query and the headers may hold ids and secrets and never leave the HTTP layer.
 */
public final class PlatformRequest {
    private final String platform;
    private final String method;
    /** The method on the wire: {@link #method} unless sent as a POST with a method override. */
    private final String sentMethod;
    private final String baseUrl;
    private final String endpoint;
    private final String path;
    private final Map<String, String> query;
    private final Map<String, String> headers;
    private final Map<String, Secret> secretHeaders;
    private final Map<String, Secret> secretQuery;
    private final String body;
    /** A proxied body, passed through byte for byte (null: {@link #body} or none). */
    private final byte[] bytes;
    /** A proxied path and query, as the application sent them (percent-encoding untouched); null otherwise. */
    private final String rawPath;
    private final String rawQuery;
    private final String contentType;
    private final boolean idempotent;
    private final java.util.List<String> rateLimitScopes;
    private final UUID orgId;
    private final UUID integrationId;
    private final RequestSigner signer;

    private PlatformRequest(Builder b) {
        this.platform = b.platform;
        this.method = b.method;
        this.sentMethod = b.sentMethod == null ? b.method : b.sentMethod;
        this.baseUrl = b.baseUrl;
        this.endpoint = b.label == null ? b.endpoint : b.label;
        this.rawPath = b.rawPath;
        this.rawQuery = b.rawQuery;
        this.bytes = b.bytes;
        this.path = b.rawPath != null ? b.rawPath : b.resolvePath();
        this.query = Map.copyOf(b.query);
        this.headers = Map.copyOf(b.headers);
        this.secretHeaders = Map.copyOf(b.secretHeaders);
        this.secretQuery = Map.copyOf(b.secretQuery);
        this.signer = b.signer;
        this.body = b.formFields == null ? b.body : b.formBody(signer != null);
        this.contentType = b.contentType;
        this.idempotent = b.idempotent;
        this.rateLimitScopes = java.util.List.copyOf(b.rateLimitScopes);
        this.orgId = b.orgId;
        this.integrationId = b.integrationId;
    }

    public static Builder get(String platform, String baseUrl, String endpoint) {
        return new Builder(platform, "GET", baseUrl, endpoint).idempotent(true);
    }

    public static Builder post(String platform, String baseUrl, String endpoint) {
        return new Builder(platform, "POST", baseUrl, endpoint);
    }

    /**
     * A proxied call: any method, the path and query exactly as the application sent them (already
     * percent-encoded, checked by the proxy), appended to {@code baseUrl}; {@code label} is the
     * low-cardinality name of the call in the log ({@code proxy:graph /{id}/feed}). The URL goes out
     * verbatim, so what a signer signs is what is sent.
     */
    public static Builder proxied(String platform, String method, String baseUrl, String rawPath, String rawQuery,
                                  String label) {
        Builder b = new Builder(platform, method, baseUrl, label);
        b.rawPath = Objects.requireNonNull(rawPath);
        b.rawQuery = rawQuery == null || rawQuery.isEmpty() ? null : rawQuery;
        return b.idempotent(method.equals("GET") || method.equals("HEAD") || method.equals("OPTIONS"));
    }

    public String platform() {
        return platform;
    }

    /** The method the caller asked for: what the call log records. */
    public String method() {
        return method;
    }

    /** The method that goes out (a PATCH sent as a POST with {@code X-HTTP-Method-Override}: POST). */
    String sentMethod() {
        return sentMethod;
    }

    public String endpoint() {
        return endpoint;
    }

    String url() {
        StringBuilder url = new StringBuilder(stripTrailingSlash(baseUrl)).append(path);
        Map<String, String> all = new LinkedHashMap<>(query);
        secretQuery.forEach((k, v) -> all.put(k, v.reveal()));
        if (rawQuery != null) {
            url.append('?').append(rawQuery);
        }
        String sep = path.contains("?") || rawQuery != null ? "&" : "?";
        for (Map.Entry<String, String> e : all.entrySet()) {
            url.append(sep).append(encode(e.getKey(), signed())).append('=').append(encode(e.getValue(), signed()));
            sep = "&";
        }
        return url.toString();
    }

    /** The headers to send; a signed request gets a signature made now, for this attempt. */
    Map<String, String> headers() {
        Map<String, String> all = new LinkedHashMap<>(headers);
        secretHeaders.forEach((k, v) -> all.put(k, v.reveal()));
        if (signer != null) {
            all.put("Authorization", signer.authorization(sentMethod, java.net.URI.create(url()), contentType,
                    bytes == null ? body : new String(bytes, StandardCharsets.UTF_8)).reveal());
        }
        return all;
    }

    /** Whether a {@link RequestSigner} authenticates this request; its URL must then go out verbatim. */
    boolean signed() {
        return signer != null || rawPath != null;
    }

    String body() {
        return body;
    }

    /** The bytes to send, or null for none. */
    byte[] bodyBytes() {
        return bytes != null ? bytes : body == null ? null : body.getBytes(StandardCharsets.UTF_8);
    }

    String contentType() {
        return contentType;
    }

    public boolean idempotent() {
        return idempotent;
    }

    /**
     * Every rate-limit scope a limit on which would stop this call: the app, the integration (its
     * user's token), this very call of this integration, and what the connector declared (an ad
     * account, an endpoint, a customer). A limit recorded on any one of them defers the call; a
     * limit anywhere else does not.
     */
    public java.util.List<String> rateLimitScopes() {
        java.util.List<String> scopes = new java.util.ArrayList<>();
        scopes.add(RateLimitScopes.APP);
        scopes.add(RateLimitScopes.endpoint(endpoint));
        if (integrationId != null) {
            scopes.add(RateLimitScopes.integration(integrationId));
        }
        scopes.add(callScope());
        scopes.addAll(rateLimitScopes);
        return scopes;
    }

    /** This call of this integration (of the app, before there is an integration). */
    public String callScope() {
        return integrationId != null ? RateLimitScopes.call(integrationId, endpoint) : RateLimitScopes.endpoint(endpoint);
    }

    /** The scopes the connector declared (an ad account, an endpoint, a customer), in order. */
    public java.util.List<String> declaredScopes() {
        return rateLimitScopes;
    }

    public UUID orgId() {
        return orgId;
    }

    public UUID integrationId() {
        return integrationId;
    }

    @Override
    public String toString() {
        return method + " " + platform + " " + endpoint;
    }

    static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    /**
     * A signed request is encoded as RFC 3986 says (space as %20, '*' escaped, '~' raw), the form
     * OAuth 1.0a signs; the others keep the form encoding they always had.
     */
    static String encode(String value, boolean rfc3986) {
        String encoded = encode(value);
        return rfc3986 ? encoded.replace("+", "%20").replace("*", "%2A").replace("%7E", "~") : encoded;
    }

    private static String stripTrailingSlash(String url) {
        return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    }

    /** Builds a request; values set here are bound, never concatenated by callers. */
    public static final class Builder {
        private final String platform;
        private final String method;
        private String sentMethod;
        private final String baseUrl;
        private final String endpoint;
        private final Map<String, String> pathParams = new LinkedHashMap<>();
        private final Map<String, String> query = new LinkedHashMap<>();
        private final Map<String, String> headers = new LinkedHashMap<>();
        private final Map<String, Secret> secretHeaders = new LinkedHashMap<>();
        private final Map<String, Secret> secretQuery = new LinkedHashMap<>();
        private String body;
        private byte[] bytes;
        private String rawPath;
        private String rawQuery;
        private String contentType;
        private String label;
        private boolean idempotent;
        private final java.util.List<String> rateLimitScopes = new java.util.ArrayList<>();
        private UUID orgId;
        private UUID integrationId;
        private RequestSigner signer;
        private Map<String, String> formFields;
        private Map<String, Secret> secretFormFields;

        private Builder(String platform, String method, String baseUrl, String endpoint) {
            this.platform = Objects.requireNonNull(platform);
            this.method = method;
            this.baseUrl = Objects.requireNonNull(baseUrl);
            this.endpoint = Objects.requireNonNull(endpoint);
        }

        public Builder path(String name, String value) {
            pathParams.put(name, value);
            return this;
        }

        public Builder query(String name, String value) {
            if (value != null) {
                query.put(name, value);
            }
            return this;
        }

        public Builder secretQuery(String name, Secret value) {
            secretQuery.put(name, value);
            return this;
        }

        public Builder header(String name, String value) {
            headers.put(name, value);
            return this;
        }

        public Builder secretHeader(String name, Secret value) {
            secretHeaders.put(name, value);
            return this;
        }

        public Builder bearer(Secret token) {
            return secretHeader("Authorization", Secret.of("Bearer " + token.reveal()));
        }

        public Builder json(String json) {
            this.formFields = null;
            this.body = json;
            this.contentType = "application/json";
            return this;
        }

        /** A body passed through as it came (a proxied call), with its content type (may be null). */
        public Builder bytes(byte[] body, String contentType) {
            this.formFields = null;
            this.body = null;
            this.bytes = body;
            this.contentType = contentType;
            return this;
        }

        /** The method of this request as it goes out (a connector's authentication may depend on it). */
        public String method() {
            return sentMethod == null ? method : sentMethod;
        }

        /**
         * Sends the request with {@code method} instead, the one asked for named in {@code header}
         * ({@code X-HTTP-Method-Override}); the call log still records the method asked for.
         */
        public Builder sentAs(String method, String header) {
            headers.put(header, this.method);
            this.sentMethod = method;
            return this;
        }

        public Builder form(Map<String, String> fields, Map<String, Secret> secretFields) {
            // Encoded at build(): how depends on whether the request is signed.
            this.formFields = new LinkedHashMap<>(fields);
            this.secretFormFields = new LinkedHashMap<>(secretFields);
            this.body = null;
            this.contentType = "application/x-www-form-urlencoded";
            return this;
        }

        /** Authenticates the request by signing each attempt (OAuth 1.0a), instead of a bearer token. */
        public Builder signedBy(RequestSigner signer) {
            this.signer = Objects.requireNonNull(signer, "signer");
            return this;
        }

        private String formBody(boolean rfc3986) {
            StringBuilder sb = new StringBuilder();
            formFields.forEach((k, v) -> append(sb, k, v, rfc3986));
            secretFormFields.forEach((k, v) -> append(sb, k, v.reveal(), rfc3986));
            return sb.toString();
        }

        /** The name of the endpoint in logs, when the path is empty because the base is a full URL. */
        public Builder label(String label) {
            this.label = label;
            return this;
        }

        /** A read that may be sent again on a transient error (GETs are; a token exchange never is). */
        public Builder idempotent(boolean idempotent) {
            this.idempotent = idempotent;
            return this;
        }

        /** Scopes beyond the app and the integration that a platform limit on would stop this call. */
        public Builder limitedBy(String... scopes) {
            this.rateLimitScopes.addAll(java.util.List.of(scopes));
            return this;
        }

        public Builder context(UUID orgId, UUID integrationId) {
            this.orgId = orgId;
            this.integrationId = integrationId;
            return this;
        }

        public PlatformRequest build() {
            return new PlatformRequest(this);
        }

        private String resolvePath() {
            String resolved = endpoint;
            for (Map.Entry<String, String> p : pathParams.entrySet()) {
                resolved = resolved.replace("{" + p.getKey() + "}", encodePathSegment(p.getValue()));
            }
            if (resolved.contains("{")) {
                throw new IllegalArgumentException("unbound path parameter in " + endpoint);
            }
            return resolved;
        }

        private static String encodePathSegment(String value) {
            return encode(value).replace("+", "%20").replace("%3A", ":");
        }

        private static void append(StringBuilder sb, String k, String v, boolean rfc3986) {
            if (sb.length() > 0) {
                sb.append('&');
            }
            sb.append(encode(k, rfc3986)).append('=').append(encode(v, rfc3986));
        }
    }
}
