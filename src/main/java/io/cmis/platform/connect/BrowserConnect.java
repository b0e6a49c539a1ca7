package io.cmis.platform.connect;

import io.cmis.platform.crypto.Secret;
import io.cmis.platform.integrations.IntegrationService;
import io.cmis.platform.platforms.PlatformConnector;
import io.cmis.platform.tenancy.OrgId;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * Connect flows bound to the browser that started them (RFC 9700 4.7.1: the state is a one-time
 * token bound to the user agent). An operator or the app makes a one-time start link
 * ({@link #link}); the browser that opens it ({@link #open}) gets the state and a cookie, and serve's
 * callback completes the flow only with that cookie ({@link #complete}). So an authorization URL
 * sent to someone else is worthless: their browser has no cookie, and the flow is cancelled. A flow
 * the application started ({@link #linkForApp}) with a return_to sends that same browser back to the
 * application afterwards ({@link #returnConnected}, {@link #returnFailed}); any other browser, never.
 */
public final class BrowserConnect {
    private static final String COOKIE = "cmis_connect_";

    private final ConnectService connect;

    public BrowserConnect(ConnectService connect) {
        this.connect = connect;
    }

    /** A start link on serve, next to the redirect URI (which must be serve's callback), valid once. */
    public ConnectLink link(String platform, OrgId org, Optional<String> redirectUri, Optional<List<String>> scopes,
                            Optional<String> tokenKind) {
        return link(platform, org, connect.redirect(platform, redirectUri), scopes, tokenKind, Optional.empty());
    }

    /**
     * The application's start link ({@code POST /api/v1/connect/{platform}}): the same link, on the first
     * of {@code <platform>.redirect-uris} that is serve's callback, and with {@code returnTo} (checked
     * against {@code connect.return-urls} before anything is stored) where the callback sends the
     * browser back.
     */
    public ConnectLink linkForApp(String platform, OrgId org, Optional<List<String>> scopes, Optional<String> tokenKind,
                                  Optional<String> returnTo) {
        Optional<URI> back = returnTo.map(r -> connect.settings.returnUrls().check(r));
        String callback = connect.settings.redirectUris(platform).stream()
                .filter(uri -> startBase(platform, uri).isPresent()).findFirst()
                .orElseThrow(() -> new NoCallbackException("no URI of " + platform + ".redirect-uris is serve's "
                        + "callback (ending in /oauth/callback/" + platform + "); add serve's to it and to the app "
                        + "registered with the platform"));
        return link(platform, org, callback, scopes, tokenKind, back);
    }

    /** The token kinds {@code platform} connects (the first is the default). */
    public List<String> tokenKinds(String platform) {
        return connect.registry.get(platform).tokenKinds();
    }

    private ConnectLink link(String platform, OrgId org, String redirect, Optional<List<String>> scopes,
                             Optional<String> tokenKind, Optional<URI> returnTo) {
        PlatformConnector connector = connect.registry.get(platform);
        String kind = connect.kind(connector, platform, tokenKind);
        URI startBase = startBase(platform, redirect).orElseThrow(() -> new ConnectException("--browser needs a "
                + "redirect URI on serve's callback (ending in /oauth/callback/" + platform + "), where the browser's "
                + "cookie is checked; " + redirect + " is not"));
        List<String> scopeList = scopes.orElse(connect.settings.defaultScopes(platform));
        Instant now = connect.clock.instant();
        Instant expiresAt = now.plus(connect.settings.startLinkTtl());
        String token = "l" + connect.randomToken(32);
        PendingConnect pending = new PendingConnect(UUID.randomUUID(), org.value(), platform, kind, redirect,
                String.join(",", scopeList), null, null, expiresAt, null, null, null,
                returnTo.map(URI::toString).orElse(null));
        connect.tenancy.inOrgDo(org, h -> {
            OAuthStateRepository repository = new OAuthStateRepository(h);
            repository.prune(now);
            repository.insertLink(pending, ConnectService.hash(token), now);
        });
        return new ConnectLink(URI.create(startBase + "?link=" + token), expiresAt, platform, org.toString(),
                pending.id());
    }

    /**
     * Opens a start link (once): makes the state (and the PKCE verifier, or X's first leg) and binds the
     * flow to a fresh random cookie, of which only the hash is stored.
     */
    public BrowserStart open(String platform, String linkToken) {
        Instant now = connect.clock.instant();
        PendingConnect link = connect.tenancy.systemWide("open a connect start link",
                        h -> new OAuthStateRepository(h).openLink(ConnectService.hash(linkToken), platform, now))
                .orElseThrow(() -> new ConnectException("this link is unknown, was already opened or has expired: "
                        + "ask for a new one"));
        PlatformConnector connector = connect.registry.get(platform);
        ConnectService.Prepared flow = connect.prepare(connector, link.id(), link.orgId(), link.tokenKind(),
                link.redirectUri(), ConnectSettings.list(link.scopes()));
        Secret binding = Secret.of(connect.randomToken(32));
        Instant expiresAt = now.plus(connect.settings.stateTtl());
        connect.tenancy.inOrgDo(new OrgId(link.orgId()), h -> new OAuthStateRepository(h).bindToBrowser(link.id(),
                ConnectService.hash(flow.state()), ConnectService.hash(binding.reveal()), flow.verifierEnc(),
                flow.requestSecretEnc(), expiresAt));
        boolean secure = link.redirectUri().startsWith("https:");
        return new BrowserStart(flow.url(), cookieName(flow.state(), secure), binding, connect.settings.stateTtl(),
                secure);
    }

    /** Completes the flow of {@code state} if {@code cookie} is its browser's binding; else see {@link #sameBrowser}. */
    public IntegrationService.AddResult complete(String state, Secret code, Optional<String> cookie) {
        PendingConnect found = connect.find(state);
        sameBrowser(state, found, cookie);
        return connect.redeem(connect.claim(state, found, Optional.empty()), state, code);
    }

    /** The platform redirected with an error: the flow ends (in its own browser only), nothing is stored. */
    public void decline(String state, String error, Optional<String> description, Optional<String> cookie) {
        PendingConnect found = connect.find(state);
        sameBrowser(state, found, cookie);
        connect.claim(state, found, Optional.empty());
        throw ConnectService.declined(error, description);
    }

    /**
     * A flow started on the command line is left alone (its operator finishes it with connect
     * complete; serve cannot tell their browser from anyone's). A browser flow reaching another
     * browser is what the attack looks like: the flow is cancelled, so its code can never be redeemed
     * into the org that started it, not even by someone who later gets hold of the code.
     */
    private void sameBrowser(String state, PendingConnect found, Optional<String> cookie) {
        connect.requireOpen(found, Optional.empty()); // a used or expired flow says so, whichever browser asks
        if (!found.forBrowser()) {
            throw new ForeignBrowserException("This connection was started on the command line, not in this browser, "
                    + "so it is not completed here and nothing was stored. If you started it, finish it with "
                    + "'cmis-platform connect complete'; if someone sent you the link, close this window.");
        }
        if (!sameCookie(found, cookie)) {
            connect.cancel(state);
            throw new ForeignBrowserException("This connection was started in another browser, so it is not completed "
                    + "here: it has been cancelled and nothing was stored. If you meant to connect an account, start "
                    + "again from the start link you were given; if someone sent you this link, close this window.");
        }
    }

    /** Whether {@code cookie} is the binding of {@code flow}'s browser (compared in constant time). */
    private static boolean sameCookie(PendingConnect flow, Optional<String> cookie) {
        return flow.forBrowser() && cookie.map(c -> MessageDigest.isEqual(
                ConnectService.hash(c).getBytes(StandardCharsets.US_ASCII),
                flow.browserHash().getBytes(StandardCharsets.US_ASCII))).orElse(false);
    }

    /**
     * The names the binding cookie of {@code state}'s flow may have: {@code __Host-} (Secure, Path=/,
     * no Domain: no other host can set or overwrite it) when the redirect URI is https.
     */
    public static List<String> cookieNames(String state) {
        return List.of(cookieName(state, true), cookieName(state, false));
    }

    static String cookieName(String state, boolean secure) {
        // One cookie per flow, so two flows started at once in one browser do not undo each other.
        return (secure ? "__Host-" : "") + COOKIE + ConnectService.hash(state).substring(0, 16);
    }

    /**
     * Where serve's callback sends the browser once the flow of {@code state} connected {@code integrationId}:
     * the flow's return_to with {@code state} (the flow's id), {@code integration_id} and
     * {@code status=connected}; empty when the flow has none (serve's page, as before).
     */
    public Optional<URI> returnConnected(String state, Optional<String> cookie, UUID integrationId) {
        return connect.flow(state).filter(flow -> sameCookie(flow, cookie))
                .flatMap(flow -> AppReturn.connected(connect.settings.returnUrls(), flow, integrationId));
    }

    /**
     * Where serve's callback sends the browser after the flow of {@code state} failed ({@code platformError}:
     * what the platform redirected with, if it did): the flow's return_to with {@code state} and
     * {@code error}, but only for the flow's own browser (its cookie): to any other browser it is not
     * that user's flow, and serve's page says so. Empty: serve's page.
     */
    public Optional<URI> returnFailed(String state, Optional<String> cookie, Optional<String> platformError) {
        return connect.flow(state).filter(flow -> sameCookie(flow, cookie))
                .flatMap(flow -> AppReturn.failed(connect.settings.returnUrls(), flow, connect.clock.instant(),
                        platformError));
    }

    /**
     * serve's start route sits beside its callback: {@code .../oauth/callback/meta} → {@code .../oauth/start/meta};
     * empty when {@code redirect} is not serve's callback.
     */
    private static Optional<URI> startBase(String platform, String redirect) {
        URI uri;
        try {
            uri = new URI(redirect);
        } catch (java.net.URISyntaxException e) {
            return Optional.empty();
        }
        String suffix = "/oauth/callback/" + platform;
        String path = uri.getRawPath() == null ? "" : uri.getRawPath();
        if (!path.endsWith(suffix) || uri.getRawQuery() != null || uri.getScheme() == null
                || uri.getRawAuthority() == null) {
            return Optional.empty();
        }
        return Optional.of(URI.create(uri.getScheme() + "://" + uri.getRawAuthority()
                + path.substring(0, path.length() - suffix.length()) + "/oauth/start/" + platform));
    }
}
