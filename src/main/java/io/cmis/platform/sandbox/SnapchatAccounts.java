package io.cmis.platform.sandbox;

import io.cmis.platform.sandbox.Simulator.Reply;
import io.cmis.platform.sandbox.Simulator.Request;
import io.cmis.platform.sandbox.SnapchatSimulator.RefreshAnswer;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * accounts.snapchat.com for the Snapchat simulator: the authorize page (exact redirect URI,
 * {@code response_type=code} only), single-use codes, and the token endpoint taking form bodies
 * only, the client secret in the body, access tokens that really end after {@code expires_in}, and
 * refresh answers that keep, rotate or leave out the refresh token.
 */
final class SnapchatAccounts {
    static final String ACCESS = "access";
    private static final String REFRESH = "refresh";
    private static final String CODE = "code";

    private final SandboxTokens tokens;
    private final Map<String, String> scopesOf = new ConcurrentHashMap<>();
    private final Map<String, String> redirectOf = new ConcurrentHashMap<>();
    volatile String registeredRedirect = Sandbox.CALLBACK_BASE + "snapchat";
    volatile Duration accessTtl = Duration.ofSeconds(1800);
    volatile RefreshAnswer refreshAnswer = RefreshAnswer.SAME;
    volatile boolean denyAuthorization;

    SnapchatAccounts(Clock clock) {
        this.tokens = new SandboxTokens(clock);
    }

    String issueCode(String redirectUri, String scope) {
        String code = tokens.issue("", SnapchatSimulator.ME_ID, CODE, Duration.ofMinutes(10));
        redirectOf.put(code, redirectUri);
        scopesOf.put(code, scope);
        return code;
    }

    String issue(String kind, String scope) {
        boolean access = kind.equals(ACCESS);
        String token = tokens.issue(access ? "0.sandbox" : "", SnapchatSimulator.ME_ID, kind, access ? accessTtl : null);
        scopesOf.put(token, scope == null ? SnapchatSimulator.MARKETING_SCOPE : scope);
        return token;
    }

    String[] issueTokens(String scope) {
        return new String[] {issue(ACCESS, scope), issue(REFRESH, scope)};
    }

    void revokeAccessTokens() {
        tokens.revokeKind(ACCESS);
    }

    void revokeUser() {
        tokens.revokeAll(SnapchatSimulator.ME_ID);
    }

    boolean valid(String accessToken) {
        return tokens.state(accessToken, ACCESS) == SandboxTokens.State.VALID;
    }

    /** The space-separated scopes a token was issued with, or "". */
    String scopeOf(String token) {
        return token == null ? "" : scopesOf.getOrDefault(token, "");
    }

    Reply authorize(Request r) {
        Map<String, String> q = r.query();
        if (!SnapchatSimulator.CLIENT_ID.equals(q.get("client_id")) || !"code".equals(q.get("response_type"))
                || !registeredRedirect.equals(q.get("redirect_uri"))) {
            return new Reply(400, Map.of("Content-Type", "text/plain"), "Invalid client_id, response_type or redirect_uri");
        }
        String state = q.containsKey("state") ? "&state=" + java.net.URLEncoder.encode(q.get("state"),
                StandardCharsets.UTF_8) : "";
        if (denyAuthorization) {
            return Reply.redirect(q.get("redirect_uri") + "?error=access_denied" + state);
        }
        return Reply.redirect(q.get("redirect_uri") + "?code=" + issueCode(q.get("redirect_uri"),
                q.getOrDefault("scope", SnapchatSimulator.MARKETING_SCOPE)) + state);
    }

    Reply token(Request r) {
        if (!String.valueOf(r.header("content-type")).startsWith("application/x-www-form-urlencoded")) {
            return error(400, "invalid_request", "The body must be form-encoded");
        }
        Map<String, String> f = r.form();
        if (!SnapchatSimulator.CLIENT_ID.equals(f.get("client_id"))
                || !SnapchatSimulator.CLIENT_SECRET.equals(f.get("client_secret"))) {
            return error(401, "invalid_client", "Client authentication failed");
        }
        if ("refresh_token".equals(f.get("grant_type"))) {
            return refresh(f.get("refresh_token"));
        }
        if (!"authorization_code".equals(f.get("grant_type"))) {
            return error(400, "unsupported_grant_type", "Unsupported grant type");
        }
        String code = f.get("code");
        if (tokens.state(code, CODE) != SandboxTokens.State.VALID || !tokens.use(code)) {
            return error(400, "invalid_grant", "Invalid authorization code");
        }
        if (!String.valueOf(redirectOf.get(code)).equals(f.get("redirect_uri"))) {
            return error(400, "invalid_grant", "redirect_uri does not match");
        }
        String scope = scopesOf.get(code);
        return Reply.json(200, grant(issue(ACCESS, scope), issue(REFRESH, scope), scope));
    }

    private Reply refresh(String refreshToken) {
        if (tokens.state(refreshToken, REFRESH) != SandboxTokens.State.VALID) {
            return error(400, "invalid_grant", "Invalid refresh token");
        }
        String scope = scopesOf.get(refreshToken);
        String next = switch (refreshAnswer) {
            case SAME -> refreshToken;
            case ABSENT -> null;
            case ROTATED -> {
                tokens.revoke(refreshToken); // the old one stops working: a client that kept it fails
                yield issue(REFRESH, scope);
            }
        };
        return Reply.json(200, grant(issue(ACCESS, scope), next, scope));
    }

    private Map<String, Object> grant(String access, String refresh, String scope) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("access_token", access);
        body.put("token_type", "Bearer");
        body.put("expires_in", accessTtl.toSeconds());
        if (refresh != null) {
            body.put("refresh_token", refresh);
        }
        body.put("scope", scope);
        return body;
    }

    static Reply error(int status, String error, String description) {
        return Reply.json(status, Map.of("error", error, "error_description", description));
    }
}
