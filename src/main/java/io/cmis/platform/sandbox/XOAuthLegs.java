package io.cmis.platform.sandbox;

import io.cmis.platform.crypto.Secret;
import io.cmis.platform.platforms.x.OAuth1Verifier;
import io.cmis.platform.sandbox.Simulator.Reply;
import io.cmis.platform.sandbox.Simulator.Request;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * api.x.com's three OAuth 1.0a legs for the X simulator: request tokens only for the registered
 * callback (confirmed in the answer), the authorize page redirecting with a verifier, and access
 * tokens for the right verifier, once per request token. Answers are form-encoded, as X's are.
 */
final class XOAuthLegs {
    /** A request token waiting for its user; {@code verifier} is set once the user authorized. */
    private record Pending(Secret secret, String callback, String verifier) {
    }

    /** An access token: never expires, ends only when revoked. */
    record Access(Secret secret, String userId, boolean revoked) {
    }

    private final XSignatureCheck signatures;
    private final SecureRandom random = new SecureRandom();
    private final Map<String, Pending> pending = new ConcurrentHashMap<>();
    private final Map<String, Access> access = new ConcurrentHashMap<>();
    volatile String registeredCallback = Sandbox.CALLBACK_BASE + "x";
    volatile boolean denyAuthorization;
    volatile boolean confirmCallback = true;
    /** Every token secret, verifier and access token handed out, so tests can prove none leaks. */
    final java.util.Set<String> issuedSecrets = ConcurrentHashMap.newKeySet();

    XOAuthLegs(XSignatureCheck signatures) {
        this.signatures = signatures;
    }

    Reply requestToken(Request r) {
        OAuth1Verifier.Verdict verdict = signatures.check(r, token -> Optional.empty());
        if (!verdict.valid()) {
            return XReplies.unauthorizedLegacy(verdict.outcome());
        }
        String callback = verdict.parameter("oauth_callback").orElse("");
        if (!callback.equals(registeredCallback) && !callback.equals("oob")) {
            return XReplies.legacy(403, 415, "Callback URL not approved for this client application.");
        }
        String token = random("rt-");
        Secret secret = Secret.of(random(""));
        pending.put(token, new Pending(secret, callback, null));
        issuedSecrets.add(secret.reveal());
        return form("oauth_token=" + token + "&oauth_token_secret=" + secret.reveal()
                + "&oauth_callback_confirmed=" + confirmCallback);
    }

    Reply authorize(Request r) {
        String token = r.query().getOrDefault("oauth_token", "");
        Pending flow = pending.get(token);
        if (flow == null || flow.verifier() != null) {
            return new Reply(400, Map.of("Content-Type", "text/html"), "<html><body>This page is no longer valid."
                    + "</body></html>");
        }
        if (denyAuthorization) {
            pending.remove(token);
            return Reply.redirect(flow.callback() + "?denied=" + encode(token));
        }
        String verifier = random("v");
        pending.put(token, new Pending(flow.secret(), flow.callback(), verifier));
        issuedSecrets.add(verifier);
        return Reply.redirect(flow.callback() + "?oauth_token=" + encode(token) + "&oauth_verifier=" + encode(verifier));
    }

    Reply accessToken(Request r) {
        OAuth1Verifier.Verdict verdict = signatures.check(r, token -> Optional.ofNullable(pending.get(token))
                .map(Pending::secret));
        if (!verdict.valid()) {
            return XReplies.unauthorizedLegacy(verdict.outcome());
        }
        String token = verdict.parameter("oauth_token").orElse("");
        Pending flow = pending.get(token);
        String verifier = verdict.parameter("oauth_verifier").orElse("");
        if (flow == null || flow.verifier() == null || !flow.verifier().equals(verifier)
                || !pending.remove(token, flow)) {
            return XReplies.legacy(401, 32, "Could not authenticate you.");
        }
        return form(issue(XSimulator.USER_ID, XSimulator.SCREEN_NAME));
    }

    /** An access token as the last leg would answer it: {@code oauth_token=...&...&screen_name=...}. */
    String issue(String userId, String screenName) {
        String token = userId + "-" + random("");
        Secret secret = Secret.of(random(""));
        access.put(token, new Access(secret, userId, false));
        issuedSecrets.add(token);
        issuedSecrets.add(secret.reveal());
        return "oauth_token=" + token + "&oauth_token_secret=" + secret.reveal() + "&user_id=" + userId
                + "&screen_name=" + screenName;
    }

    Optional<Access> access(String token) {
        return Optional.ofNullable(access.get(token));
    }

    void revoke(String token) {
        access.computeIfPresent(token, (k, a) -> new Access(a.secret(), a.userId(), true));
    }

    private String random(String prefix) {
        byte[] bytes = new byte[16];
        random.nextBytes(bytes);
        return prefix + HexFormat.of().formatHex(bytes);
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    private static Reply form(String body) {
        return new Reply(200, Map.of("Content-Type", "application/x-www-form-urlencoded"), body);
    }
}
