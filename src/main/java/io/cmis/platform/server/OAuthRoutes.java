package io.cmis.platform.server;

import io.cmis.platform.connect.BrowserConnect;
import io.cmis.platform.connect.BrowserStart;
import io.cmis.platform.connect.ConnectException;
import io.cmis.platform.connect.ForeignBrowserException;
import io.cmis.platform.crypto.Secret;
import io.cmis.platform.integrations.Integration;
import io.cmis.platform.platforms.ConnectorRegistry;
import io.cmis.platform.platforms.PlatformException;
import org.eclipse.jetty.http.HttpCookie;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

import java.net.URI;
import java.util.Map;
import java.util.Optional;

/**
 * {@code GET /oauth/start/{platform}?link=} (a start link of {@code connect start --browser}: sets the
 * flow's binding cookie and redirects to the platform) and {@code GET /oauth/callback/{platform}}
 * (completes the flow only in the browser holding that cookie, and then sends that browser back to the
 * application's return_to when the application started the flow with one). Both are open: users reach them.
 */
final class OAuthRoutes {
    private final BrowserConnect connect;

    OAuthRoutes(BrowserConnect connect) {
        this.connect = connect;
    }

    void start(Request request, Response response, Callback done, String platform, Map<String, String> query) {
        if (!ConnectorRegistry.knownIds().contains(platform)) {
            Responses.page(response, done, 404, "Unknown platform", "There is no platform '" + platform + "'.");
            return;
        }
        String link = query.getOrDefault("link", "");
        if (link.isBlank()) {
            Responses.page(response, done, 400, "Not started", "The link is incomplete: ask for a new one.");
            return;
        }
        try {
            BrowserStart start = connect.open(platform, link);
            // Lax, not Strict: the platform's redirect back is a cross-site top-level navigation, and a
            // Strict cookie would not come with it. HttpOnly: no script needs it. One flow's lifetime.
            response.getHeaders().add(HttpHeader.SET_COOKIE, start.cookieName() + "=" + start.binding().reveal()
                    + "; Max-Age=" + start.maxAge().toSeconds() + "; Path=/; HttpOnly; SameSite=Lax"
                    + (start.secure() ? "; Secure" : ""));
            Responses.redirect(response, done, 302, start.authorizationUrl().toString());
        } catch (ConnectException | PlatformException e) {
            Responses.page(response, done, 400, "Not started", e.getMessage());
        }
    }

    void callback(Request request, Response response, Callback done, String platform, Map<String, String> query) {
        if (!ConnectorRegistry.knownIds().contains(platform)) {
            Responses.page(response, done, 404, "Unknown platform", "There is no platform '" + platform + "'.");
            return;
        }
        // OAuth 1.0a (X) names them oauth_token and oauth_verifier, and a refusal denied=<oauth_token>.
        String state = query.getOrDefault("state", query.getOrDefault("oauth_token", query.getOrDefault("denied", "")));
        // TikTok for Business sends auth_code; the others code.
        String code = query.getOrDefault("code", query.getOrDefault("auth_code", query.getOrDefault("oauth_verifier", "")));
        if (state.isBlank()) {
            Responses.page(response, done, 400, "Not connected", "The link has no state. Start the connection again.");
            return;
        }
        Optional<String> cookie = bindingCookie(request, state);
        // Whatever happens next the flow is over for this browser (done, declined, cancelled or refused).
        clear(response, state);
        Optional<String> platformError = Optional.ofNullable(query.containsKey("error") ? query.get("error")
                : query.containsKey("denied") ? "denied" : null);
        try {
            if (platformError.isPresent()) {
                connect.decline(state, platformError.get(), Optional.ofNullable(query.get("error_description")), cookie);
            }
            if (code.isBlank()) {
                failed(response, done, state, cookie, platformError, "The link has no code. Start the connection again.");
                return;
            }
            Integration integration = connect.complete(state, Secret.of(code), cookie).integration();
            Optional<URI> back = connect.returnConnected(state, cookie, integration.id());
            if (back.isPresent()) {
                Responses.redirect(response, done, 303, back.get().toString());
                return;
            }
            Responses.page(response, done, 200, "Connected", "Your " + integration.platform() + " account "
                    + Optional.ofNullable(integration.accountName()).orElse(integration.externalAccountId())
                    + " is connected. You can close this window.");
        } catch (ForeignBrowserException e) {
            // Not this browser's flow: it is not sent to the application that started it.
            Responses.page(response, done, 403, "Not connected", e.getMessage());
        } catch (ConnectException | PlatformException e) {
            failed(response, done, state, cookie, platformError, e.getMessage());
        }
    }

    /** A flow the application started goes back to its return_to with the error (its own browser only); else the page. */
    private void failed(Response response, Callback done, String state, Optional<String> cookie,
                        Optional<String> platformError, String why) {
        Optional<URI> back = connect.returnFailed(state, cookie, platformError);
        if (back.isPresent()) {
            Responses.redirect(response, done, 303, back.get().toString());
        } else {
            Responses.page(response, done, 400, "Not connected", why);
        }
    }

    private static Optional<String> bindingCookie(Request request, String state) {
        for (String name : BrowserConnect.cookieNames(state)) {
            for (HttpCookie cookie : Request.getCookies(request)) {
                if (cookie.getName().equals(name)) {
                    return Optional.of(cookie.getValue());
                }
            }
        }
        return Optional.empty();
    }

    /** The flow has ended: its cookie goes (both spellings; a __Host- cookie is only removed with Secure). */
    private static void clear(Response response, String state) {
        for (String name : BrowserConnect.cookieNames(state)) {
            response.getHeaders().add(HttpHeader.SET_COOKIE, name + "=; Max-Age=0; Path=/; HttpOnly; SameSite=Lax"
                    + (name.startsWith("__Host-") ? "; Secure" : ""));
        }
    }
}
