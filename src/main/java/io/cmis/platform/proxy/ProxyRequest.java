package io.cmis.platform.proxy;

import io.cmis.platform.tenancy.OrgId;

import io.cmis.platform.tokens.CallerKey;

import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * One call the application asks the proxy to make: for {@code integrationId} of {@code org} (the org
 * of the key or the operator's, never of the request), to the API {@code api} of its platform,
 * {@code path} below that API's base and the {@code rawQuery} exactly as sent (null: none), the
 * caller's headers by lower-case name (filtered by {@link ProxyHeaders}) and the body (empty: none).
 * {@code callerKey}: the API key the token read must confirm unrevoked (empty: confirmed already, or the CLI).
 */
public record ProxyRequest(OrgId org, UUID integrationId, String api, String method, String path, String rawQuery,
                           Map<String, String> headers, byte[] body, Optional<CallerKey> callerKey) {
    public ProxyRequest(OrgId org, UUID integrationId, String api, String method, String path, String rawQuery,
                        Map<String, String> headers, byte[] body) {
        this(org, integrationId, api, method, path, rawQuery, headers, body, Optional.empty());
    }
}
