package io.cmis.platform.integrations;

import io.cmis.platform.crypto.SecretColumns;
import io.cmis.platform.crypto.TokenVault;
import io.cmis.platform.platforms.DiscoveredChannel;
import io.cmis.platform.platforms.TokenGrant;
import io.cmis.platform.sync.ChannelRepository;
import io.cmis.platform.tenancy.OrgId;
import io.cmis.platform.tenancy.Tenancy;

import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/** Operator work on integrations: import a token, list, show, disable. */
public final class IntegrationService {
    private static final com.fasterxml.jackson.databind.ObjectMapper JSON = new com.fasterxml.jackson.databind.ObjectMapper();
    private final Tenancy tenancy;
    private final TokenVault vault;
    private final Clock clock;

    public IntegrationService(Tenancy tenancy, TokenVault vault, Clock clock) {
        this.tenancy = tenancy;
        this.vault = vault;
        this.clock = clock;
    }

    /**
     * Stores an imported token, replacing the credentials of the same (org, platform, account) if it
     * exists: one transaction, so the row never exists without its encrypted token.
     */
    public AddResult add(ImportedToken token) {
        return add(token, List.of());
    }

    /** As {@link #add(ImportedToken)}, storing in the same transaction the channels the token alone proves. */
    public AddResult add(ImportedToken token, List<DiscoveredChannel> known) {
        Instant now = clock.instant();
        Instant expiresAt = token.expiry(now);
        return tenancy.inOrg(token.org(), handle -> {
            IntegrationRepository repository = new IntegrationRepository(handle);
            IntegrationRepository.UpsertResult row = repository.upsertAccount(UUID.randomUUID(),
                    token.org().value(), token.platform(), token.externalAccountId(), expiresAt, now);
            String access = vault.encrypt(token.accessToken(), SecretColumns.INTEGRATION_ACCESS_TOKEN.slot(token.org().value(), row.id()));
            String refresh = token.refreshToken()
                    .map(r -> vault.encrypt(r, SecretColumns.INTEGRATION_REFRESH_TOKEN.slot(token.org().value(), row.id())))
                    .orElse(null);
            repository.storeTokens(row.id(), access, refresh);
            repository.storeDetails(row.id(), token.accountName(), token.tokenKind(), token.scopeColumn(), null, "{}");
            storeChannels(handle, token.org(), row.id(), token.platform(), known, now);
            return new AddResult(repository.find(row.id()).orElseThrow(), row.inserted());
        });
    }

    /**
     * Stores what a completed connect flow got: tokens (a rotated refresh token included), expiry,
     * account name and kind, all in one transaction. Reconnecting the same account updates it.
     */
    public AddResult storeGrant(OrgId org, String platform, String externalAccountId, String accountName,
                                TokenGrant grant) {
        return storeGrant(org, platform, externalAccountId, accountName, grant, List.of());
    }

    /** As {@link #storeGrant(OrgId, String, String, String, TokenGrant)}, with the channels the grant alone proves. */
    public AddResult storeGrant(OrgId org, String platform, String externalAccountId, String accountName,
                                TokenGrant grant, List<DiscoveredChannel> known) {
        Instant now = clock.instant();
        return tenancy.inOrg(org, handle -> {
            IntegrationRepository repository = new IntegrationRepository(handle);
            IntegrationRepository.UpsertResult row = repository.upsertAccount(UUID.randomUUID(), org.value(), platform,
                    externalAccountId, grant.expiresAt().orElse(null), now);
            repository.storeTokens(row.id(),
                    vault.encrypt(grant.accessToken(), SecretColumns.INTEGRATION_ACCESS_TOKEN.slot(org.value(), row.id())),
                    grant.refreshToken().map(r -> vault.encrypt(r, SecretColumns.INTEGRATION_REFRESH_TOKEN.slot(org.value(), row.id())))
                            .orElse(null));
            repository.storeTokenSecret(row.id(), grant.tokenSecret()
                    .map(t -> vault.encrypt(t, SecretColumns.INTEGRATION_TOKEN_SECRET.slot(org.value(), row.id()))).orElse(null));
            repository.storeDetails(row.id(), accountName, grant.tokenKind(), String.join(",", grant.scopes()),
                    grant.refreshExpiresAt().orElse(null), metadata(grant));
            repository.clearReauthNotifications(row.id());
            storeChannels(handle, org, row.id(), platform, known, now);
            return new AddResult(repository.find(row.id()).orElseThrow(), row.inserted());
        });
    }

    private static void storeChannels(org.jdbi.v3.core.Handle handle, OrgId org, UUID integrationId, String platform,
                                      List<DiscoveredChannel> known, Instant now) {
        ChannelRepository channels = new ChannelRepository(handle);
        for (DiscoveredChannel c : known) {
            channels.storeKnown(org.value(), integrationId, platform, c, now);
        }
    }

    private static String metadata(TokenGrant grant) {
        try {
            return JSON.writeValueAsString(grant.extras());
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            return "{}";
        }
    }

    /** Whether {@code add} would update rather than create: the same org, platform and account is stored. */
    public boolean exists(OrgId org, String platform, String externalAccountId) {
        return tenancy.inOrg(org, h -> new IntegrationRepository(h).exists(platform, externalAccountId));
    }

    public List<Integration> list(IntegrationFilter filter) {
        if (filter.org().isPresent()) {
            return tenancy.inOrg(filter.org().get(), h -> new IntegrationRepository(h).list(filter));
        }
        return tenancy.systemWide("operator lists the integrations of every org",
                h -> new IntegrationRepository(h).list(filter));
    }

    /** One page of one org's integrations, in id order after {@code after} (the application API). */
    public List<Integration> page(OrgId org, IntegrationFilter filter, UUID after, int limit) {
        IntegrationFilter inOrg = new IntegrationFilter(java.util.Optional.of(org), filter.platform(), filter.status());
        return tenancy.inOrg(org, h -> new IntegrationRepository(h).page(inOrg, after, limit));
    }

    /** One integration as {@code org} sees it: another org's is not found (row-level security). */
    public Integration show(OrgId org, UUID id) {
        return tenancy.inOrg(org, h -> new IntegrationRepository(h).find(id)).orElseThrow(() -> new IntegrationNotFoundException(id));
    }

    public Integration show(UUID id) {
        return tenancy.systemWide("operator shows an integration by id",
                h -> new IntegrationRepository(h).find(id)).orElseThrow(() -> new IntegrationNotFoundException(id));
    }

    /** Disables the integration; returns false when it already was. */
    public boolean disable(UUID id) {
        OrgId org = orgOf(id);
        return tenancy.inOrg(org, handle -> {
            IntegrationRepository repository = new IntegrationRepository(handle);
            Integration current = repository.find(id).orElseThrow(() -> new IntegrationNotFoundException(id));
            if (current.status() == IntegrationStatus.DISABLED) {
                return false;
            }
            repository.setStatus(id, IntegrationStatus.DISABLED, "disabled by an operator", clock.instant());
            return true;
        });
    }

    private OrgId orgOf(UUID id) {
        return tenancy.systemWide("find the org of an integration an operator named",
                h -> new IntegrationRepository(h).orgOf(id))
                .map(OrgId::new)
                .orElseThrow(() -> new IntegrationNotFoundException(id));
    }

    public record AddResult(Integration integration, boolean created) {
    }
}
