package io.cmis.platform.api;

import io.cmis.platform.tenancy.OrgId;
import io.cmis.platform.tokens.CallerKey;

import java.time.Instant;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * Who is calling: the key, and the org it acts for (taken from the key, never from the request).
 * {@code confirmed} is false when the key was recognised from this host's memory: the handler's own
 * read must then confirm it unrevoked ({@link #unconfirmed()}), in the same round trip as its data.
 */
public record ApiCaller(UUID keyId, OrgId org, Set<ApiScope> scopes, boolean confirmed, boolean touchDue, Instant now) {
    public ApiCaller(UUID keyId, OrgId org, Set<ApiScope> scopes) {
        this(keyId, org, scopes, true, false, null);
    }

    public boolean may(ApiScope scope) {
        return scopes.contains(scope);
    }

    /** The check the handler's read must make: empty when the key was read from the database already. */
    public Optional<CallerKey> unconfirmed() {
        return confirmed ? Optional.empty() : Optional.of(new CallerKey(keyId, touchDue, now));
    }
}
