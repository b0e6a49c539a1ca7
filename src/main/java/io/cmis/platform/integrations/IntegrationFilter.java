package io.cmis.platform.integrations;

import io.cmis.platform.tenancy.OrgId;

import java.util.Optional;

/** What {@code integrations list} narrows by; every part optional. */
public record IntegrationFilter(Optional<OrgId> org, Optional<String> platform, Optional<IntegrationStatus> status) {
    public static IntegrationFilter all() {
        return new IntegrationFilter(Optional.empty(), Optional.empty(), Optional.empty());
    }
}
