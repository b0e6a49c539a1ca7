package io.cmis.platform.platforms.x;

import io.cmis.platform.http.GuardedHttpClient;
import io.cmis.platform.http.ResponseClassifier;
import io.cmis.platform.platforms.Account;
import io.cmis.platform.platforms.AuthorizationRequest;
import io.cmis.platform.platforms.CallContext;
import io.cmis.platform.platforms.CodeExchange;
import io.cmis.platform.platforms.ConnectFirstLeg;
import io.cmis.platform.platforms.DiscoveredAdAccount;
import io.cmis.platform.platforms.DiscoveredChannel;
import io.cmis.platform.platforms.PermanentPlatformException;
import io.cmis.platform.platforms.PlatformConnector;
import io.cmis.platform.platforms.PlatformDescriptor;
import io.cmis.platform.platforms.ProxyApi;
import io.cmis.platform.platforms.ReauthRequiredException;
import io.cmis.platform.platforms.RefreshMode;
import io.cmis.platform.platforms.StoredGrant;
import io.cmis.platform.platforms.TokenGrant;
import io.cmis.platform.platforms.WebhookSupport;

import java.net.URI;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * X Ads API. Every call is signed with OAuth 1.0a (X documents nothing else for the Ads REST API),
 * the connect flow has three legs, and the user's token never expires: only a revocation ends it,
 * which the next call learns as a 401. The X account itself is the one channel ({@code x_account}).
 */
final class XConnector implements PlatformConnector {
    static final String ID = "x";
    static final String USER = "user";
    static final String CHANNEL_TYPE = "x_account";
    static final String ADS = "ads";
    /** {@code /accounts/{id}} and what is under it: the calls an ad account's own window counts. */
    private static final java.util.regex.Pattern ACCOUNT_PATH =
            java.util.regex.Pattern.compile("/?accounts/([A-Za-z0-9]+)(?:[/?#].*)?");

    /**
     * The facts: one OAuth 1.0a user token that never expires; no PKCE; the Ads API at
     * {@code x.ads-api-version} ({@code /accounts/{id}/campaigns}).
     */
    static final PlatformDescriptor DESCRIPTOR = new PlatformDescriptor(ID, "X",
            List.of(PlatformDescriptor.TokenKind.of(USER, RefreshMode.NEVER_EXPIRES)),
            List.of(PlatformDescriptor.ApiBase.of(ADS, "{x.ads-api-url}/{x.ads-api-version}")));

    private final PlatformDescriptor descriptor;
    private final XSettings settings;
    private final XClassifier classifier;
    private final XSigning signing;
    private final XOAuth oauth;
    private final XAdAccounts adAccounts;
    private final WebhookSupport webhooks;

    XConnector(PlatformDescriptor descriptor, XSettings settings, GuardedHttpClient http, Clock clock) {
        this.descriptor = descriptor;
        this.settings = settings;
        this.classifier = new XClassifier(clock);
        this.signing = new XSigning(settings, clock, OAuth1Signer.randomNonces(new SecureRandom()));
        this.oauth = new XOAuth(settings, http, signing);
        this.adAccounts = new XAdAccounts(settings, http, classifier, signing);
        this.webhooks = new XWebhooks(settings);
    }

    @Override
    public PlatformDescriptor descriptor() {
        return descriptor;
    }

    /** X's flow begins at X ({@link #beginConnect}); there is no URL to build from a state of ours. */
    @Override
    public URI authorizationUrl(AuthorizationRequest request) {
        throw new PermanentPlatformException(ID, XOAuth.AUTHORIZE, "three_legged",
                "X connects with OAuth 1.0a: the authorize URL comes with a request token from 'connect start'");
    }

    @Override
    public Optional<ConnectFirstLeg> beginConnect(String redirectUri, String tokenKind, UUID orgId) {
        return Optional.of(oauth.begin(redirectUri));
    }

    @Override
    public TokenGrant exchangeCode(CodeExchange exchange) {
        return oauth.complete(exchange);
    }

    @Override
    public TokenGrant refresh(StoredGrant grant) {
        throw new ReauthRequiredException(ID, "-", "never_expires",
                "X tokens are not refreshed; a refused one needs the account connected again");
    }

    /** The access-token answer already named the user; the stored account id is that user. */
    @Override
    public Account identify(CallContext context) {
        return new Account(context.accountId(), null);
    }

    /** No call names the user again: the sync keeps the screen name stored at connect. */
    @Override
    public List<DiscoveredChannel> channels(CallContext context) {
        return List.of(new DiscoveredChannel(CHANNEL_TYPE, context.accountId(), null, Optional.empty(),
                Optional.empty(), Map.of()));
    }

    /** The account is the channel, named by the access-token answer's screen_name; unnamed, it waits for a sync. */
    @Override
    public List<DiscoveredChannel> channelsOfGrant(String accountId, Optional<String> accountName) {
        return accountName.map(name -> List.of(new DiscoveredChannel(CHANNEL_TYPE, accountId, name, Optional.empty(),
                Optional.<String>empty(), Map.<String, String>of()))).orElse(List.of());
    }

    @Override
    public List<DiscoveredAdAccount> adAccounts(CallContext context) {
        return adAccounts.list(context);
    }

    /**
     * Every X request is signed (OAuth 1.0a) with the consumer key and secret and the token and its
     * secret: an application gets the token's secret and the consumer key; the consumer secret stays
     * here (the application holds its own copy of the app's credentials, or signs nothing).
     */
    @Override
    public Map<String, String> credentialExtras(CallContext context) {
        Map<String, String> extras = new java.util.LinkedHashMap<>();
        context.tokenSecret().ifPresent(secret -> extras.put("token_secret", secret.reveal()));
        extras.put("consumer_key", settings.consumerKey());
        return extras;
    }

    @Override
    public io.cmis.platform.http.PlatformRequest.Builder authenticate(io.cmis.platform.http.PlatformRequest.Builder request,
                                                                      ProxyApi api, CallContext context) {
        return signing.authenticate(request, context);
    }

    /** Under {@code /accounts/{id}}: that ad account's own window, as the connector's own calls of it declare. */
    @Override
    public List<String> proxyLimitScopes(ProxyApi api, String method, String path, CallContext context) {
        java.util.regex.Matcher account = ACCOUNT_PATH.matcher(path);
        return account.matches() ? List.of(XAdAccounts.accountScope(account.group(1))) : List.of();
    }

    @Override
    public ResponseClassifier classifier() {
        return classifier;
    }

    @Override
    public WebhookSupport webhooks() {
        return webhooks;
    }
}
