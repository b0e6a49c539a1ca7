package io.cmis.platform.api;

import io.cmis.platform.crypto.Secret;
import io.cmis.platform.crypto.SecretColumns;
import io.cmis.platform.crypto.TokenVault;
import io.cmis.platform.integrations.ReconnectAdvice;
import io.cmis.platform.platforms.CallContext;
import io.cmis.platform.platforms.ConnectorRegistry;
import io.cmis.platform.sync.ChannelRepository;
import io.cmis.platform.tenancy.OrgId;
import io.cmis.platform.tenancy.Tenancy;
import io.cmis.platform.tokens.AccessTokens;
import io.cmis.platform.tokens.FreshToken;
import io.cmis.platform.tokens.TokenRefreshFailedException;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Fresh credentials on read, for the API and {@code tokens get}: the token valid for at least
 * {@code tokens.refresh-before}, refreshed first through {@link AccessTokens#fresh} (one refresh per
 * grant across every process: readers wait for the integration's row lock and then read the new token).
 * Only an active integration's token is handed out. Every read that reached an integration of the
 * reader's org is recorded in {@code credential_reads} before the answer leaves: a read that cannot be
 * recorded is not served.
 */
public final class Credentials {
    /** After a transient refresh failure: the platform's 5xx or a timeout usually passes within this. */
    static final Duration RETRY_AFTER = Duration.ofSeconds(30);

    /** Told of every recorded read (serve's metrics). */
    @FunctionalInterface
    public interface Observer {
        void read(String outcome, boolean refreshed);
    }

    private final Tenancy tenancy;
    private final TokenVault vault;
    private final ConnectorRegistry registry;
    private final AccessTokens tokens;
    private final Clock clock;
    private final List<Observer> observers = new CopyOnWriteArrayList<>();

    public Credentials(Tenancy tenancy, TokenVault vault, ConnectorRegistry registry, AccessTokens tokens, Clock clock) {
        this.tenancy = tenancy;
        this.vault = vault;
        this.registry = registry;
        this.tokens = tokens;
        this.clock = clock;
    }

    public Credentials observe(Observer observer) {
        observers.add(observer);
        return this;
    }

    /** The integration's own token; another org's or an unknown id throws IntegrationNotFoundException. */
    public CredentialsDocument ofIntegration(OrgId org, UUID integrationId, CredentialReader reader) {
        FreshToken token = fresh(org, integrationId, null, reader);
        CallContext context = token.context();
        return served(org, integrationId, null, reader, token, context, token.expiresAt());
    }

    /**
     * A channel's own token (a Facebook Page's page token), handed out while its integration is active.
     * It carries no expiry of its own: it lasts as long as the grant it came from.
     */
    public CredentialsDocument ofChannel(OrgId org, UUID channelId, CredentialReader reader) {
        return ofChannel(org, channelId, Optional.empty(), reader);
    }

    /** As above, for a channel that must belong to {@code integrationId} when given (the CLI names both). */
    public CredentialsDocument ofChannel(OrgId org, UUID channelId, Optional<UUID> integrationId,
                                         CredentialReader reader) {
        ChannelRepository.StoredToken stored = tenancy.inOrg(org, h -> new ChannelRepository(h).token(channelId))
                .filter(c -> integrationId.map(c.integrationId()::equals).orElse(true))
                .orElseThrow(() -> new ChannelNotFoundException(channelId));
        if (stored.accessTokenEnc() == null || !"active".equals(stored.status())) {
            throw new CredentialsRefusedException(CredentialsRefusedException.NO_CHANNEL_TOKEN, "channel " + channelId
                    + (stored.accessTokenEnc() == null ? " has no token of its own; read its integration's credentials: "
                    + "POST /api/v1/integrations/" + stored.integrationId() + "/credentials"
                    : " was removed from its account at the last sync; its token is no longer kept up"),
                    Optional.empty());
        }
        FreshToken token = fresh(org, stored.integrationId(), channelId, reader);
        Secret channelToken = vault.decrypt(stored.accessTokenEnc(),
                SecretColumns.CHANNEL_ACCESS_TOKEN.slot(org.value(), channelId));
        CallContext parent = token.context();
        CallContext context = new CallContext(parent.orgId(), parent.integrationId(), parent.tokenKind(), channelToken,
                parent.accountId(), parent.scopes(), Optional.empty());
        return served(org, stored.integrationId(), channelId, reader, token, context, null);
    }

    private FreshToken fresh(OrgId org, UUID integrationId, UUID channelId, CredentialReader reader) {
        FreshToken token;
        try {
            token = tokens.fresh(org, integrationId);
        } catch (TokenRefreshFailedException e) {
            if (e.needsReauth()) {
                throw reconnect(org, integrationId, channelId, reader, "needs to be reconnected: the platform refused "
                        + "the refresh");
            }
            record(org, integrationId, channelId, reader, false, CredentialRead.UNAVAILABLE);
            throw new CredentialsRefusedException(CredentialsRefusedException.REFRESH_UNAVAILABLE, "the token expires "
                    + "within tokens.refresh-before and the platform could not refresh it just now; try again in "
                    + RETRY_AFTER.toSeconds() + " s", Optional.of(RETRY_AFTER));
        }
        if (!token.active()) {
            throw reconnect(org, integrationId, channelId, reader, "is " + token.status() + " and its token is not "
                    + "handed out");
        }
        if (token.expiresAt() != null && !token.expiresAt().isAfter(clock.instant())) {
            // Nothing renews it (the platform's kind of token, or no refresh token): only a reconnect helps.
            throw reconnect(org, integrationId, channelId, reader, "expired at " + token.expiresAt()
                    + " and nothing can renew it");
        }
        return token;
    }

    private CredentialsRefusedException reconnect(OrgId org, UUID integrationId, UUID channelId, CredentialReader reader,
                                                  String what) {
        String advice = tenancy.inOrg(org, h -> {
            new CredentialReadRepository(h).insert(row(org, integrationId, channelId, reader, false,
                    CredentialRead.NEEDS_REAUTH));
            return ReconnectAdvice.about(h, integrationId, what);
        });
        tell(CredentialRead.NEEDS_REAUTH, false);
        return new CredentialsRefusedException(CredentialsRefusedException.RECONNECT_REQUIRED, advice, Optional.empty());
    }

    private CredentialsDocument served(OrgId org, UUID integrationId, UUID channelId, CredentialReader reader,
                                       FreshToken token, CallContext context, Instant expiresAt) {
        Map<String, String> extra = registry.get(token.platform()).credentialExtras(context);
        CredentialsDocument document = new CredentialsDocument(integrationId, channelId, token.platform(),
                context.accountId(), context.tokenSecret().isPresent() ? "oauth1" : "bearer",
                context.accessToken().reveal(), expiresAt, context.scopes(), token.refreshed(), Map.copyOf(extra));
        record(org, integrationId, channelId, reader, token.refreshed(), CredentialRead.SERVED);
        return document;
    }

    private void record(OrgId org, UUID integrationId, UUID channelId, CredentialReader reader, boolean refreshed,
                        String outcome) {
        tenancy.inOrgDo(org, h -> new CredentialReadRepository(h).insert(row(org, integrationId, channelId, reader,
                refreshed, outcome)));
        tell(outcome, refreshed);
    }

    private CredentialRead row(OrgId org, UUID integrationId, UUID channelId, CredentialReader reader, boolean refreshed,
                               String outcome) {
        return new CredentialRead(UUID.randomUUID(), org.value(), clock.instant(), integrationId, channelId,
                reader.apiKeyId(), reader.name(), refreshed, outcome);
    }

    private void tell(String outcome, boolean refreshed) {
        observers.forEach(o -> o.read(outcome, refreshed));
    }
}
