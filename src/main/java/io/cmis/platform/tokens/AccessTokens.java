package io.cmis.platform.tokens;

import io.cmis.platform.crypto.Secret;
import io.cmis.platform.crypto.SecretColumns;
import io.cmis.platform.crypto.TokenVault;
import io.cmis.platform.platforms.CallContext;
import io.cmis.platform.platforms.ConnectorRegistry;
import io.cmis.platform.platforms.RefreshMode;
import io.cmis.platform.tenancy.OrgId;
import io.cmis.platform.tenancy.Tenancy;

import java.time.Clock;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * The token a platform call should use: refreshed first when it expires within
 * {@code tokens.refresh-before}. Every platform call made for an integration gets its context here.
 */
public final class AccessTokens {
    private final Tenancy tenancy;
    private final TokenVault vault;
    private final ConnectorRegistry registry;
    private final TokenRefresher refresher;
    private final TokenSettings settings;
    private final Clock clock;

    public AccessTokens(Tenancy tenancy, TokenVault vault, ConnectorRegistry registry, TokenRefresher refresher,
                        TokenSettings settings, Clock clock) {
        this.tenancy = tenancy;
        this.vault = vault;
        this.registry = registry;
        this.refresher = refresher;
        this.settings = settings;
        this.clock = clock;
    }

    /**
     * A call context with a token valid for at least {@code tokens.refresh-before}, refreshing it
     * (once, under the integration's lock) when it expires before then, however recently it was
     * refreshed: a platform may answer an {@code expires_in} shorter than the horizon. Platform errors
     * of the refresh propagate, after the integration was marked {@code needs_reauth} where that is
     * their meaning.
     */
    public CallContext forCall(OrgId org, UUID integrationId) {
        return fresh(org, integrationId).context();
    }

    /**
     * What {@link #forCall} hands out, with what a reader of credentials must know beside it: whether
     * this call refreshed the token (false when it waited for another process's refresh), when it
     * expires, and the integration's status as last read. An integration that is not active is never
     * refreshed here; the caller must refuse to hand out its token.
     */
    public FreshToken fresh(OrgId org, UUID integrationId) {
        return fresh(org, integrationId, Optional.empty());
    }

    /**
     * {@link #fresh(OrgId, UUID)} for a caller whose API key is confirmed unrevoked by the same statement
     * that reads the token ({@link CallerKeyRevokedException} when it is not): one round trip for both.
     */
    public FreshToken fresh(OrgId org, UUID integrationId, Optional<CallerKey> caller) {
        Current current = read(org, integrationId, caller);
        Instant soon = clock.instant().plus(settings.refreshBefore());
        boolean refreshed = false;
        if ("active".equals(current.status()) && refreshable(current) && current.expiresAt().isBefore(soon)) {
            RefreshOutcome outcome = refresher.renew(due(org, integrationId, current), current.access(), false, soon);
            if (outcome.failed()) {
                throw new TokenRefreshFailedException(outcome.detail(), outcome.outcome().equals("needs_reauth"));
            }
            refreshed = outcome.outcome().equals("refreshed");
            current = read(org, integrationId, Optional.empty());
        }
        return new FreshToken(current.context(org, integrationId), current.platform(), current.status(),
                current.expiresAt(), refreshable(current), refreshed);
    }

    /**
     * The platform refused the token of {@code used} (HTTP 401): the context to retry with once, or
     * empty when nothing can renew it (the caller asks for a reconnect). Under the integration's lock:
     * when the refused token is still the stored one it is refreshed, whenever it was last refreshed;
     * when another process already replaced it, the new one is handed out without a refresh. A refresh
     * the platform refuses (invalid_grant, 400/401) has marked the integration {@code needs_reauth}
     * with one alert and throws; a transient failure of it throws without marking.
     */
    public Optional<CallContext> afterRejection(OrgId org, UUID integrationId, CallContext used) {
        Current current = read(org, integrationId, Optional.empty());
        if (!refreshable(current)) {
            return Optional.empty();
        }
        RefreshOutcome outcome = refresher.renew(due(org, integrationId, current), used.accessToken(), true,
                clock.instant().plus(settings.refreshBefore()));
        if (outcome.failed()) {
            throw new TokenRefreshFailedException(outcome.detail(), outcome.outcome().equals("needs_reauth"));
        }
        if (!outcome.outcome().equals("refreshed") && !outcome.outcome().equals("replaced")) {
            return Optional.empty();
        }
        return Optional.of(read(org, integrationId, Optional.empty()).context(org, integrationId));
    }

    private boolean refreshable(Current current) {
        RefreshMode mode = registry.get(current.platform()).refreshMode(current.tokenKind());
        return (mode == RefreshMode.REFRESH_TOKEN || mode == RefreshMode.ROTATING_REFRESH_TOKEN)
                && current.expiresAt() != null;
    }

    private static TokenRepository.Due due(OrgId org, UUID integrationId, Current current) {
        return new TokenRepository.Due(integrationId, org.value(), current.platform(), current.tokenKind(),
                current.expiresAt(), true);
    }

    private record Current(String platform, String status, String tokenKind, Secret access, Instant expiresAt, String accountId,
                           String scopes, Optional<Secret> tokenSecret) {
        CallContext context(OrgId org, UUID integrationId) {
            // Stored comma-joined at connect; some platforms need to know what was granted (Snapchat profiles).
            List<String> granted = scopes == null ? List.of() : Arrays.stream(scopes.split(","))
                    .map(String::trim).filter(s -> !s.isEmpty()).toList();
            return new CallContext(org.value(), integrationId, tokenKind, access, accountId, granted, tokenSecret);
        }
    }

    private static final String TOKEN = """
            SELECT i.platform, i.status, i.token_kind, i.access_token_enc, i.token_expires_at, i.external_account_id,
                   i.scopes, i.token_secret_enc, c.caller_ok
            FROM (SELECT %s AS caller_ok) c
            LEFT JOIN integrations i ON i.id = ?
            """;

    /** The key's use is recorded by the same statement when due; the touch writes only then. */
    private static final String TOUCH_CALLER = """
            WITH touched AS (
                UPDATE api_keys SET last_used_at = ? WHERE id = ? AND revoked_at IS NULL AND ?
                RETURNING id)
            """;

    private static final String TOKEN_ONLY = TOKEN.formatted("true");
    private static final String TOKEN_FOR_CALLER = TOUCH_CALLER
            + TOKEN.formatted("EXISTS (SELECT 1 FROM api_keys k WHERE k.id = ? AND k.revoked_at IS NULL)");

    /** The integration's token in one round trip (and the caller's key checked in it, when given). */
    private Current read(OrgId org, UUID id, Optional<CallerKey> caller) {
        String sql = caller.isEmpty() ? TOKEN_ONLY : TOKEN_FOR_CALLER;
        return tenancy.inOrgStatement(org, sql, statement -> {
            int i = 1;
            if (caller.isPresent()) {
                statement.setTimestamp(i++, java.sql.Timestamp.from(caller.get().now()));
                statement.setObject(i++, caller.get().keyId());
                statement.setBoolean(i++, caller.get().touch());
                statement.setObject(i++, caller.get().keyId());
            }
            statement.setObject(i, id);
        }, rs -> {
            rs.next(); // always one row: the caller's check, with or without the integration
            if (!rs.getBoolean("caller_ok")) {
                throw new CallerKeyRevokedException(caller.orElseThrow().keyId());
            }
            if (rs.getString("platform") == null) {
                throw new io.cmis.platform.integrations.IntegrationNotFoundException(id);
            }
            return new Current(rs.getString("platform"), rs.getString("status"), rs.getString("token_kind"),
                    vault.decrypt(rs.getString("access_token_enc"), SecretColumns.INTEGRATION_ACCESS_TOKEN.slot(org.value(), id)),
                    Optional.ofNullable(rs.getTimestamp("token_expires_at")).map(java.sql.Timestamp::toInstant)
                            .orElse(null),
                    rs.getString("external_account_id"), rs.getString("scopes"),
                    // Only OAuth 1.0a tokens (X) have a secret of their own.
                    Optional.ofNullable(rs.getString("token_secret_enc"))
                            .map(s -> vault.decrypt(s, SecretColumns.INTEGRATION_TOKEN_SECRET.slot(org.value(), id))));
        });
    }
}
