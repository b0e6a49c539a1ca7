package io.cmis.platform.connect;

import io.cmis.platform.crypto.Secret;
import io.cmis.platform.crypto.SecretColumns;
import io.cmis.platform.crypto.TokenVault;
import io.cmis.platform.integrations.IntegrationService;
import io.cmis.platform.platforms.Account;
import io.cmis.platform.platforms.AuthorizationRequest;
import io.cmis.platform.platforms.CallContext;
import io.cmis.platform.platforms.CodeExchange;
import io.cmis.platform.platforms.ConnectFirstLeg;
import io.cmis.platform.platforms.ConnectorRegistry;
import io.cmis.platform.platforms.PlatformConnector;
import io.cmis.platform.platforms.RequestToken;
import io.cmis.platform.platforms.Signatures;
import io.cmis.platform.platforms.TokenGrant;
import io.cmis.platform.tenancy.OrgId;
import io.cmis.platform.tenancy.Tenancy;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * Connecting an organization's platform account: {@link #start} makes a single-use state (256 bits
 * from a CSPRNG, stored only as a hash, bound to org, platform and redirect URI, with a PKCE
 * verifier where the platform takes one) and the authorization URL; {@link #complete} claims the
 * state exactly once, redeems the code and stores the integration.
 */
public final class ConnectService {
    final Tenancy tenancy;
    private final TokenVault vault;
    final ConnectorRegistry registry;
    private final IntegrationService integrations;
    final ConnectSettings settings;
    final Clock clock;
    private final SecureRandom random;

    public ConnectService(Tenancy tenancy, TokenVault vault, ConnectorRegistry registry, IntegrationService integrations,
                          io.cmis.platform.config.AppConfig config, Clock clock, SecureRandom random) {
        this.tenancy = tenancy;
        this.vault = vault;
        this.registry = registry;
        this.integrations = integrations;
        this.settings = ConnectSettings.from(config);
        this.clock = clock;
        this.random = random;
    }

    public ConnectStart start(String platform, OrgId org, Optional<String> redirectUri, Optional<List<String>> scopes,
                              Optional<String> tokenKind) {
        PlatformConnector connector = registry.get(platform);
        String kind = kind(connector, platform, tokenKind);
        String redirect = redirect(platform, redirectUri);
        List<String> scopeList = scopes.orElse(settings.defaultScopes(platform));
        UUID id = UUID.randomUUID();
        Instant now = clock.instant();
        Prepared flow = prepare(connector, id, org.value(), kind, redirect, scopeList);
        Instant expiresAt = now.plus(settings.stateTtl());
        PendingConnect pending = new PendingConnect(id, org.value(), platform, kind, redirect,
                String.join(",", scopeList), flow.verifierEnc(), flow.requestSecretEnc(), expiresAt, null, null, null,
                null);
        tenancy.inOrgDo(org, h -> {
            OAuthStateRepository repository = new OAuthStateRepository(h);
            repository.prune(now);
            repository.insert(pending, hash(flow.state()), now);
        });
        return new ConnectStart(flow.url(), flow.state(), expiresAt, platform, org.toString());
    }

    /** A new flow's state, its encrypted PKCE verifier or OAuth 1.0a request token secret, and where to send the user. */
    record Prepared(String state, String verifierEnc, String requestSecretEnc, URI url) {
        @Override
        public String toString() {
            return "Prepared[" + url.getHost() + "]";
        }
    }

    Prepared prepare(PlatformConnector connector, UUID id, UUID org, String kind, String redirect,
                     List<String> scopeList) {
        // OAuth 1.0a: the platform mints the state (the request token) in a first leg of its own.
        Optional<ConnectFirstLeg> firstLeg = connector.beginConnect(redirect, kind, org);
        // 256 random bits; the letter in front keeps a state that base64url would begin with '-' from
        // reading as an option when an operator passes it to 'connect complete --state'.
        String state = firstLeg.map(leg -> leg.requestToken().value()).orElseGet(() -> "s" + randomToken(32));
        Optional<String> verifier = firstLeg.isEmpty() && connector.supportsPkce(kind)
                ? Optional.of(randomToken(48)) : Optional.empty();
        String verifierEnc = verifier.map(v -> vault.encrypt(Secret.of(v), SecretColumns.OAUTH_PKCE_VERIFIER.slot(org, id)))
                .orElse(null);
        String requestSecretEnc = firstLeg.map(leg -> vault.encrypt(leg.requestToken().secret(),
                SecretColumns.OAUTH_REQUEST_TOKEN_SECRET.slot(org, id))).orElse(null);
        URI url = firstLeg.map(ConnectFirstLeg::authorizationUrl)
                .orElseGet(() -> connector.authorizationUrl(new AuthorizationRequest(state, redirect, scopeList,
                        verifier.map(ConnectService::challenge), kind)));
        return new Prepared(state, verifierEnc, requestSecretEnc, url);
    }

    String kind(PlatformConnector connector, String platform, Optional<String> tokenKind) {
        String kind = tokenKind.orElse(connector.tokenKinds().get(0));
        if (!connector.tokenKinds().contains(kind)) {
            throw new ConnectException("--kind '" + kind + "' is not a " + platform + " token kind; use one of "
                    + String.join(", ", connector.tokenKinds()));
        }
        return kind;
    }

    /**
     * Redeems the code for the flow of {@code state}; the state can be used once, by one caller. A flow
     * started for a browser is refused here: only that browser completes it, at serve's callback.
     */
    public IntegrationService.AddResult complete(String state, Secret code, Optional<OrgId> expectedOrg) {
        PendingConnect found = find(state);
        if (found.forBrowser()) {
            throw new ConnectException("this flow was started for a browser (connect start --browser): only that "
                    + "browser completes it, at serve's callback; nothing was stored");
        }
        return redeem(claim(state, found, expectedOrg), state, code);
    }

    IntegrationService.AddResult redeem(PendingConnect pending, String state, Secret code) {
        PlatformConnector connector = registry.get(pending.platform());
        Optional<Secret> verifier = Optional.ofNullable(pending.verifierEnc())
                .map(v -> vault.decrypt(v, SecretColumns.OAUTH_PKCE_VERIFIER.slot(pending.orgId(), pending.id())));
        // OAuth 1.0a: the state was the request token, and its secret signs the exchange.
        Optional<RequestToken> requestToken = Optional.ofNullable(pending.requestTokenSecretEnc())
                .map(s -> new RequestToken(state,
                        vault.decrypt(s, SecretColumns.OAUTH_REQUEST_TOKEN_SECRET.slot(pending.orgId(), pending.id()))));
        OrgId org = new OrgId(pending.orgId());
        TokenGrant grant = connector.exchangeCode(new CodeExchange(code, pending.redirectUri(), verifier,
                pending.tokenKind(), org.value(), requestToken));
        Account account = connector.identify(new CallContext(org.value(), null, grant.tokenKind(), grant.accessToken(),
                grant.accountId().orElse(null), List.of(), grant.tokenSecret()));
        String externalId = grant.accountId().orElse(account.externalId());
        if (externalId == null || externalId.isBlank()) {
            throw new ConnectException(pending.platform() + " did not say which account was connected; nothing stored");
        }
        String name = grant.accountName().orElse(account.name());
        return integrations.storeGrant(org, pending.platform(), externalId, name, grant,
                connector.channelsOfGrant(externalId, Optional.ofNullable(name)));
    }

    /** The platform redirected with an error (the user declined, ...): the flow ends, nothing is stored. */
    public void decline(String state, String error, Optional<String> description) {
        claim(state, find(state), Optional.empty());
        throw declined(error, description);
    }

    static ConnectException declined(String error, Optional<String> description) {
        return new ConnectException("the platform did not authorize the connection: " + error
                + description.map(d -> " (" + d + ")").orElse("") + "; nothing was stored, start again if needed");
    }

    PendingConnect find(String state) {
        return flow(state).orElseThrow(() -> new ConnectException("unknown state: start the connection again with "
                + "'cmis-platform connect start'"));
    }

    /** The flow of {@code state} whatever it became (open, used, expired); empty when there is none. */
    Optional<PendingConnect> flow(String state) {
        String hash = hash(state);
        return tenancy.systemWide("find a connect flow by its state", h -> new OAuthStateRepository(h).find(hash));
    }

    PendingConnect claim(String state, PendingConnect found, Optional<OrgId> expectedOrg) {
        Instant now = requireOpen(found, expectedOrg);
        return tenancy.systemWide("claim a connect flow", h -> new OAuthStateRepository(h).claim(hash(state), now))
                .orElseThrow(() -> new ConnectException("this state was already used; start the connection again"));
    }

    /** Refuses a flow of another org, already used or expired; the time it was checked at. */
    Instant requireOpen(PendingConnect found, Optional<OrgId> expectedOrg) {
        Instant now = clock.instant();
        if (expectedOrg.isPresent() && !expectedOrg.get().value().equals(found.orgId())) {
            throw new ConnectException("this state belongs to another organization; nothing was stored");
        }
        if (found.usedAt() != null) {
            throw new ConnectException("this state was already used; start the connection again");
        }
        if (!now.isBefore(found.expiresAt())) {
            throw new ConnectException("this state expired at " + found.expiresAt() + "; start the connection again");
        }
        return now;
    }

    /** Ends a flow whatever its state, so that its code can never be redeemed. */
    void cancel(String state) {
        tenancy.systemWide("cancel a connect flow", h -> new OAuthStateRepository(h).claim(hash(state), clock.instant()));
    }

    String redirect(String platform, Optional<String> requested) {
        List<String> allowed = settings.redirectUris(platform);
        if (allowed.isEmpty()) {
            throw new ConnectException("no redirect URI is allowed for " + platform + "; set " + platform
                    + ".redirect-uris to the URIs registered with the platform");
        }
        if (requested.isEmpty()) {
            if (allowed.size() > 1) {
                throw new ConnectException("several redirect URIs are allowed for " + platform
                        + "; choose one with --redirect-uri");
            }
            return allowed.get(0);
        }
        if (!allowed.contains(requested.get())) {
            throw new ConnectException("redirect URI " + requested.get() + " is not in " + platform
                    + ".redirect-uris (exact match required)");
        }
        return requested.get();
    }

    String randomToken(int bytes) {
        byte[] raw = new byte[bytes];
        random.nextBytes(raw);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(raw);
    }

    static String hash(String state) {
        return Signatures.sha256Hex(state);
    }

    static String challenge(String verifier) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(verifier.getBytes(StandardCharsets.US_ASCII));
            return Base64.getUrlEncoder().withoutPadding().encodeToString(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
