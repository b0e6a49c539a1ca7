package io.cmis.platform.platforms;

import io.cmis.platform.http.ResponseClassifier;

import java.net.URI;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * Everything that differs between platforms, behind one interface: OAuth and the platform's real
 * token lifecycle, discovery of channels and ad accounts, and error classification. One
 * implementation per package under {@code platforms/<name>}; looked up in {@link ConnectorRegistry}.
 */
public interface PlatformConnector {
    /** The platform's static facts as configured (see {@link PlatformDescriptor#configured}); the defaults below read it. */
    PlatformDescriptor descriptor();

    default String id() {
        return descriptor().id();
    }

    /** The token kinds this platform issues (e.g. TikTok: advertiser, tt_user); the first is the default. */
    default List<String> tokenKinds() {
        return descriptor().tokenKindNames();
    }

    default RefreshMode refreshMode(String tokenKind) {
        return descriptor().tokenKind(tokenKind).refreshMode();
    }

    /** Whether the authorization flow for this kind of token takes a PKCE (S256) challenge. */
    default boolean supportsPkce(String tokenKind) {
        return descriptor().tokenKind(tokenKind).pkce();
    }

    URI authorizationUrl(AuthorizationRequest request);

    /**
     * The first leg of a flow in which the platform, not us, mints the state: OAuth 1.0a gets a
     * request token before the user can be sent anywhere. Empty (the default) for OAuth 2, where
     * {@link #authorizationUrl} is used with a state of ours.
     */
    default Optional<ConnectFirstLeg> beginConnect(String redirectUri, String tokenKind, UUID orgId) {
        return Optional.empty();
    }

    /** Redeems a code and applies the platform's follow-up (Meta: exchange for the long-lived token). */
    TokenGrant exchangeCode(CodeExchange exchange);

    /** A fresh grant for a stored one, per {@link #refreshMode}; throws {@link ReauthRequiredException} when dead. */
    TokenGrant refresh(StoredGrant grant);

    Account identify(CallContext context);

    List<DiscoveredChannel> channels(CallContext context);

    /**
     * The channels a grant alone proves, stored when the account is connected or imported, before any
     * sync: X's account is its own channel and the access-token answer named it. Empty (the default)
     * where channels are known only by asking the platform.
     */
    default List<DiscoveredChannel> channelsOfGrant(String accountId, Optional<String> accountName) {
        return List.of();
    }

    List<DiscoveredAdAccount> adAccounts(CallContext context);

    /**
     * What an application needs beside the access token to call the platform itself with it, as
     * {@code POST /api/v1/.../credentials} and {@code tokens get} hand it out (X: the token secret and
     * the consumer key that sign each request; Meta: the appsecret_proof of this token). Empty (the
     * default) where the bearer token is all.
     */
    default java.util.Map<String, String> credentialExtras(CallContext context) {
        return java.util.Map.of();
    }

    /**
     * The APIs the application may call through serve's proxy, as data: the descriptor's, at the
     * configured bases and versions (see {@link ProxyApi}); none where it declares none.
     */
    default List<ProxyApi> proxyApis() {
        return descriptor().proxyApis();
    }

    /**
     * Authenticates a proxied call to one of {@link #proxyApis()} exactly as this connector's own calls
     * are authenticated (the bearer token, TikTok's {@code Access-Token}, Meta's {@code appsecret_proof},
     * Google's {@code developer-token} and {@code login-customer-id} where configured, X's OAuth 1.0a
     * signature over the real method, URL, query and form body), with the same code those calls use.
     */
    default io.cmis.platform.http.PlatformRequest.Builder authenticate(io.cmis.platform.http.PlatformRequest.Builder request,
                                                                       ProxyApi api, CallContext context) {
        throw new UnsupportedOperationException(id() + " declares no API for the proxy");
    }

    /**
     * The rate-limit scopes, beyond the app's and the integration's, that a limit on would stop this
     * proxied call, read from its path and its integration's context as the connector's own calls
     * declare them (an X ad account, a Google customer, a TikTok endpoint, a Meta business object,
     * LinkedIn's member), so sync and the proxy hold each other back; empty (the default): none.
     */
    default List<String> proxyLimitScopes(ProxyApi api, String method, String path, CallContext context) {
        return List.of();
    }

    ResponseClassifier classifier();

    WebhookSupport webhooks();
}
