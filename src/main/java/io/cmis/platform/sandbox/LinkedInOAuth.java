package io.cmis.platform.sandbox;

import com.fasterxml.jackson.databind.node.ObjectNode;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * The LinkedIn simulator's token endpoint: the app's credentials in the form body (a missing one is
 * named), codes used once with the redirect URI they were issued for, no PKCE, and refresh tokens
 * that come back unchanged with what is left of their year, never a new year.
 */
final class LinkedInOAuth {
    private final LinkedInSimulator sim;

    LinkedInOAuth(LinkedInSimulator sim) {
        this.sim = sim;
    }

    Simulator.Reply token(Simulator.Request r) {
        if (!String.valueOf(r.header("content-type")).startsWith("application/x-www-form-urlencoded")) {
            return oauthError(400, "invalid_request", "the body must be application/x-www-form-urlencoded");
        }
        Map<String, String> form = r.form();
        String grant = form.getOrDefault("grant_type", "");
        List<String> required = grant.equals("refresh_token")
                ? List.of("grant_type", "refresh_token", "client_id", "client_secret")
                : List.of("grant_type", "code", "client_id", "client_secret", "redirect_uri");
        for (String name : required) {
            if (form.getOrDefault(name, "").isEmpty()) {
                return oauthError(400, "invalid_request", "A required parameter \"" + name + "\" is missing");
            }
        }
        if (!LinkedInSimulator.CLIENT_ID.equals(form.get("client_id"))
                || !LinkedInSimulator.CLIENT_SECRET.equals(form.get("client_secret"))) {
            return oauthError(401, "invalid_client_id", "Client authentication failed");
        }
        if (form.containsKey("code_verifier")) {
            return oauthError(400, "invalid_redirect_uri", "appid/redirect uri/code verifier does not match "
                    + "authorization code. Or authorization code expired. Or external member binding exists");
        }
        return grant.equals("refresh_token") ? refresh(form.get("refresh_token")) : code(form);
    }

    private Simulator.Reply code(Map<String, String> form) {
        String code = form.get("code");
        SandboxTokens tokens = sim.tokens();
        if (tokens.state(code, "code") != SandboxTokens.State.VALID) {
            return oauthError(401, "invalid_request", "Unable to retrieve access token: authorization code not found");
        }
        if (!form.get("redirect_uri").equals(sim.redirectOf(code)) || !tokens.use(code)) {
            return oauthError(400, "invalid_redirect_uri", "Unable to retrieve access token: appid/redirect uri/code "
                    + "verifier does not match authorization code. Or authorization code expired.");
        }
        String member = tokens.find(code).map(SandboxTokens.Issued::subject).orElse(LinkedInSimulator.MEMBER);
        String scopes = sim.scopesOf(code).replace(' ', ',');
        sim.consented(member, scopes);
        ObjectNode body = Simulator.JSON.createObjectNode()
                .put("access_token", tokens.issue("AQV", member, "access", LinkedInSimulator.ACCESS_TTL))
                .put("expires_in", LinkedInSimulator.ACCESS_TTL.toSeconds() - 1);
        if (sim.partner()) {
            body.put("refresh_token", tokens.issue("AQX", member, "refresh", LinkedInSimulator.REFRESH_TTL))
                    .put("refresh_token_expires_in", LinkedInSimulator.REFRESH_TTL.toSeconds() - 1);
        }
        return Simulator.Reply.json(200, body.put("scope", scopes));
    }

    /** The same refresh token back; each new access token lives 60 days, but never past the refresh token. */
    private Simulator.Reply refresh(String refreshToken) {
        SandboxTokens tokens = sim.tokens();
        if (tokens.state(refreshToken, "refresh") != SandboxTokens.State.VALID) {
            return oauthError(400, "invalid_request", "The provided authorization grant or refresh token is invalid, "
                    + "expired or revoked.");
        }
        SandboxTokens.Issued issued = tokens.find(refreshToken).orElseThrow();
        Instant now = sim.clock().instant();
        long left = Duration.between(now, issued.expiresAt()).toSeconds();
        long access = Math.min(LinkedInSimulator.ACCESS_TTL.toSeconds(), left);
        ObjectNode body = Simulator.JSON.createObjectNode()
                .put("access_token", tokens.issue("AQV", issued.subject(), "access", Duration.ofSeconds(access)))
                .put("expires_in", access)
                .put("refresh_token", refreshToken)
                .put("refresh_token_expires_in", left + sim.endSkew().toSeconds())
                .put("scope", "r_ads,r_organization_admin");
        return Simulator.Reply.json(200, body);
    }

    static Simulator.Reply oauthError(int status, String error, String description) {
        return Simulator.Reply.json(status, Map.of("error", error, "error_description", description));
    }
}
