package io.cmis.platform.api;

import io.cmis.platform.tenancy.OrgId;

import java.util.Set;
import java.util.UUID;

/** Who is calling: the key, and the org it acts for (taken from the key, never from the request). */
public record ApiCaller(UUID keyId, OrgId org, Set<ApiScope> scopes) {
    public boolean may(ApiScope scope) {
        return scopes.contains(scope);
    }
}
