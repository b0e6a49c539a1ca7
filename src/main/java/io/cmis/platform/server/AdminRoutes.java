package io.cmis.platform.server;

import org.eclipse.jetty.http.HttpCookie;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.Fields;
import org.eclipse.jetty.util.UrlEncoded;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The gate of the admin pages over HTTP: reads what {@link AdminAccess} decides on (the socket's
 * address, proxy headers, the bearer token, the session cookie) and answers those it refuses; and
 * {@code /login}, a form that trades the token for a session cookie so the dashboard works in a browser.
 */
final class AdminRoutes {
    private static final int MAX_FORM_BYTES = 4096;

    private final AdminAccess access;
    private final Supplier<Instant> now;

    AdminRoutes(AdminAccess access, Supplier<Instant> now) {
        this.access = access;
        this.now = now;
    }

    boolean allows(Request request) {
        Map<String, String> headers = new HashMap<>();
        for (HttpField field : request.getHeaders()) {
            headers.putIfAbsent(field.getLowerCaseName(), field.getValue());
        }
        String authorization = headers.getOrDefault("authorization", "");
        Optional<String> bearer = authorization.regionMatches(true, 0, "Bearer ", 0, 7)
                ? Optional.of(authorization.substring(7)) : Optional.empty();
        Optional<String> cookie = Request.getCookies(request).stream()
                .filter(c -> c.getName().equals(AdminAccess.COOKIE)).map(HttpCookie::getValue).findFirst();
        InetAddress remote = request.getConnectionMetaData().getRemoteSocketAddress() instanceof InetSocketAddress a
                ? a.getAddress() : null;
        return access.allows(remote, headers, bearer, cookie, now.get());
    }

    /** 401: the dashboard answers with the login form, the others with JSON saying what to send. */
    void refuse(String path, Response response, Callback done) {
        response.getHeaders().put(HttpHeader.WWW_AUTHENTICATE, "Bearer");
        if (path.equals("/")) {
            loginPage(response, done, 401, "");
            return;
        }
        Responses.send(response, done, 401, "application/json", "{\"status\":\"unauthorized\",\"error\":\""
                + (access.tokenSet() ? "this page needs serve.admin-token: send 'Authorization: Bearer <token>' (in a "
                + "browser, sign in at /login)" : "without serve.admin-token this page answers only loopback clients "
                + "that are not behind a proxy and ask for localhost, 127.0.0.1 or [::1]") + "\"}");
    }

    /** A token in the URL is refused, not used: URLs reach access logs, proxies and browser history. */
    void refuseTokenInUrl(Response response, Callback done) {
        Responses.send(response, done, 400, "application/json", "{\"status\":\"bad_request\",\"error\":\"the admin "
                + "token is not accepted in a URL (it would be logged): send 'Authorization: Bearer <token>', or sign "
                + "in at /login\"}");
    }

    void login(Request request, Response response, Callback done) {
        if (request.getMethod().equals("GET")) {
            loginPage(response, done, 200, "");
            return;
        }
        if (!request.getMethod().equals("POST")) {
            Responses.send(response, done, 405, "application/json", "{\"status\":\"method_not_allowed\"}");
            return;
        }
        Content.Source.asByteArrayAsync(request, MAX_FORM_BYTES).whenComplete((body, failure) -> {
            Fields form = new Fields();
            if (failure == null) {
                UrlEncoded.decodeUtf8To(new String(body, StandardCharsets.UTF_8), form);
            }
            String given = Optional.ofNullable(form.getValue("token")).orElse("");
            if (!access.tokenSet() || !access.matches(given)) {
                loginPage(response, done, 401, access.tokenSet() ? "That is not the token." : "serve.admin-token is "
                        + "not set: the admin pages answer only loopback clients that are not behind a proxy "
                        + "and ask for localhost, 127.0.0.1 or [::1].");
                return;
            }
            boolean https = request.isSecure() || "https".equalsIgnoreCase(request.getHeaders().get("X-Forwarded-Proto"));
            // Strict: the admin pages are never reached from another site's link with the session.
            response.getHeaders().add(HttpHeader.SET_COOKIE, AdminAccess.COOKIE + "=" + access.newSession(now.get())
                    + "; Max-Age=" + AdminAccess.SESSION.toSeconds() + "; Path=/; HttpOnly; SameSite=Strict"
                    + (https ? "; Secure" : ""));
            Responses.redirect(response, done, 303, "./");
        });
    }

    private static void loginPage(Response response, Callback done, int status, String problem) {
        Responses.send(response, done, status, "text/html; charset=utf-8", Html.page("cmis-platform: sign in",
                (problem.isEmpty() ? "" : "<p>" + Html.escape(problem) + "</p>")
                        + "<form method=post action=login><label>Admin token (serve.admin-token) "
                        + "<input type=password name=token autocomplete=current-password required></label> "
                        + "<button>Sign in</button></form>"));
    }
}
