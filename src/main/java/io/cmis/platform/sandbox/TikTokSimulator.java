package io.cmis.platform.sandbox;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * TikTok API for Business: advertiser authorization (long-term tokens, no refresh),
 * {@code oauth2/advertiser/get/}, {@code advertiser/info/} (at most 100 ids), account-holder
 * ({@code tt_user}) tokens with a rotating refresh token, {@code business/get/}; every app-level
 * error as HTTP 200 with a body {@code code}, and the mandatory trailing slash.
 */
public final class TikTokSimulator extends Simulator {
    public static final String APP_ID = "7300000000000000001";
    public static final String SECRET = "sandbox-tiktok-secret";
    public static final String OPEN_ID = "sandbox-open-id-0001";
    static final Duration USER_ACCESS_TTL = Duration.ofHours(2);
    static final Duration USER_REFRESH_TTL = Duration.ofDays(180);
    private static final String API = "/open_api/v1\\.3";

    private final SandboxTokens tokens;
    private volatile int advertisers = 2;
    private volatile long logId;

    public TikTokSimulator(int port, Clock clock) {
        super(port);
        this.tokens = new SandboxTokens(clock);
        route("GET", "/portal/auth", r -> {
            String code = issueAuthCode();
            // TikTok sends the code twice, as auth_code and as code.
            return Reply.redirect(r.query().get("redirect_uri") + "?auth_code=" + code + "&code=" + code
                    + "&state=" + r.query().get("state"));
        });
        route("GET", "/v2/auth/authorize/", r -> Reply.redirect(r.query().get("redirect_uri") + "?code="
                + issueUserCode() + "&state=" + r.query().get("state")));
        route("POST", API + "/oauth2/access_token/", this::advertiserToken);
        route("GET", API + "/oauth2/advertiser/get/", r -> withToken(r, "advertiser", () -> advertiserList(r)));
        route("GET", API + "/advertiser/info/", r -> withToken(r, "advertiser", () -> advertiserInfo(r)));
        route("POST", API + "/tt_user/oauth2/token/", this::userToken);
        route("POST", API + "/tt_user/oauth2/refresh_token/", this::userRefresh);
        route("GET", API + "/business/get/", r -> withToken(r, "tt_user", () -> ok(JSON.createObjectNode()
                .put("open_id", OPEN_ID).put("username", "sandbox_creator").put("display_name", "Sandbox Creator"))));
        // Any other Business API call (the proxy's): either kind of token in Access-Token.
        proxied(API, r -> null, r -> withToken(r, null, () -> Reply.json(200, echoBody(r).put("code", 0)
                .put("message", "OK").put("request_id", "2026112500000000" + (++logId)))
                .withHeader("X-Tt-Logid", "sandbox" + logId)));
    }

    /** Headers of a delivery of {@code body} signed at {@code t} (unix seconds). */
    public static Map<String, String> signedHeaders(String body, long t) {
        byte[] mac = io.cmis.platform.platforms.Signatures.hmacSha256(SECRET,
                (t + ".").getBytes(java.nio.charset.StandardCharsets.UTF_8),
                body.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        return Map.of("tiktok-signature", "t=" + t + ",s=" + java.util.HexFormat.of().formatHex(mac),
                "content-type", "application/json");
    }

    private final java.util.Set<String> throttledAdvertisers = java.util.concurrent.ConcurrentHashMap.newKeySet();

    public void seed(int advertisers) {
        this.advertisers = advertisers;
    }

    /** The {@code i}-th (1-based) advertiser's id. */
    public static String advertiser(int i) {
        return advertiserId(i);
    }

    /** The advertiser's own limit is spent: the next advertiser/info call naming it answers 40133, once. */
    public void throttleAdvertiser(String advertiserId) {
        throttledAdvertisers.add(advertiserId);
    }

    public String issueAuthCode() {
        return tokens.issue("", "advertiser-user", "code", Duration.ofMinutes(10));
    }

    public String issueUserCode() {
        return tokens.issue("", OPEN_ID, "user_code", Duration.ofMinutes(10));
    }

    public String issueAdvertiserToken() {
        return tokens.issue("", "advertiser-user", "advertiser", null);
    }

    /** The advertiser cancels the authorization: every token dies (40105 on use). */
    public void revokeAll() {
        tokens.revokeAll("advertiser-user");
        tokens.revokeAll(OPEN_ID);
    }

    private Reply advertiserToken(Request r) {
        JsonNode body = r.json();
        if (!APP_ID.equals(body.path("app_id").asText()) || !SECRET.equals(body.path("secret").asText())) {
            return code(40101, "app_id or secret is invalid");
        }
        String code = body.path("auth_code").asText();
        if (tokens.state(code, "code") != SandboxTokens.State.VALID || !tokens.use(code)) {
            return code(40110, "auth_code is invalid, used or expired");
        }
        ObjectNode data = JSON.createObjectNode().put("access_token", issueAdvertiserToken());
        ArrayNode ids = data.putArray("advertiser_ids");
        for (int i = 1; i <= advertisers; i++) {
            ids.add(advertiserId(i));
        }
        data.putArray("scope").add(1).add(2).add(3).add(4);
        return ok(data);
    }

    private Reply userToken(Request r) {
        JsonNode body = r.json();
        if (!APP_ID.equals(body.path("client_id").asText()) || !SECRET.equals(body.path("client_secret").asText())) {
            return code(40101, "client_id or client_secret is invalid");
        }
        String code = body.path("auth_code").asText();
        if (tokens.state(code, "user_code") != SandboxTokens.State.VALID || !tokens.use(code)) {
            return code(40110, "auth_code is invalid, used or expired");
        }
        return ok(userGrant());
    }

    /** Rotation: the refresh token used here dies; the answer carries its successor. */
    private Reply userRefresh(Request r) {
        JsonNode body = r.json();
        String refresh = body.path("refresh_token").asText();
        SandboxTokens.State state = tokens.state(refresh, "tt_user_refresh");
        if (state == SandboxTokens.State.EXPIRED) {
            return code(40103, "refresh_token has expired");
        }
        if (state != SandboxTokens.State.VALID || !tokens.use(refresh)) {
            return code(40107, "refresh_token is invalid");
        }
        tokens.revoke(refresh);
        return ok(userGrant());
    }

    private ObjectNode userGrant() {
        return JSON.createObjectNode()
                .put("access_token", tokens.issue("act.", OPEN_ID, "tt_user", USER_ACCESS_TTL))
                .put("expires_in", USER_ACCESS_TTL.toSeconds())
                .put("refresh_token", tokens.issue("rft.", OPEN_ID, "tt_user_refresh", USER_REFRESH_TTL))
                .put("refresh_token_expires_in", USER_REFRESH_TTL.toSeconds())
                .put("open_id", OPEN_ID)
                .put("scope", "user.info.basic,business.get")
                .put("token_type", "Bearer");
    }

    private Reply advertiserList(Request r) {
        if (!APP_ID.equals(r.query().get("app_id")) || !SECRET.equals(r.query().get("secret"))) {
            return code(40101, "app_id or secret is invalid");
        }
        ObjectNode data = JSON.createObjectNode();
        ArrayNode list = data.putArray("list");
        for (int i = 1; i <= advertisers; i++) {
            list.addObject().put("advertiser_id", advertiserId(i)).put("advertiser_name", "Sandbox Advertiser " + i);
        }
        return ok(data);
    }

    private Reply advertiserInfo(Request r) {
        JsonNode ids = parse(r.query().getOrDefault("advertiser_ids", "[]"));
        if (!ids.isArray() || ids.size() == 0 || ids.size() > 100) {
            return code(40002, "advertiser_ids: length must be between 1 and 100");
        }
        for (JsonNode id : ids) {
            if (throttledAdvertisers.remove(id.asText())) {
                return code(40133, "The number of requests for this advertiser exceeds the limit");
            }
        }
        ObjectNode data = JSON.createObjectNode();
        ArrayNode list = data.putArray("list");
        for (JsonNode id : ids) {
            list.addObject().put("advertiser_id", id.asText()).put("name", "Sandbox Advertiser " + id.asText())
                    .put("currency", "USD").put("timezone", "Etc/GMT+8").put("status", "STATUS_ENABLE")
                    .put("company", "Sandbox Inc");
        }
        return ok(data);
    }

    /** {@code kind} null: a token of either kind. */
    private Reply withToken(Request r, String kind, java.util.function.Supplier<Reply> then) {
        String token = r.header("access-token");
        if (token == null || token.isEmpty()) {
            return code(40104, "Access token is null, you should set it in http header with key Access-Token.");
        }
        SandboxTokens.State state = kind != null ? tokens.state(token, kind)
                : tokens.state(token, "advertiser") == SandboxTokens.State.UNKNOWN ? tokens.state(token, "tt_user")
                : tokens.state(token, "advertiser");
        return switch (state) {
            case VALID -> then.get();
            case EXPIRED -> code(40102, "Access token has expired.");
            case REVOKED, UNKNOWN -> code(40105, "Access token is incorrect or has been revoked.");
        };
    }

    private static String advertiserId(int i) {
        return String.valueOf(7000000000000000000L + i);
    }

    private static JsonNode parse(String text) {
        try {
            return JSON.readTree(text);
        } catch (java.io.IOException e) {
            return JSON.createObjectNode();
        }
    }

    private Reply ok(ObjectNode data) {
        return envelope(0, "OK", data);
    }

    private Reply code(int code, String message) {
        return envelope(code, message, JSON.createObjectNode());
    }

    /** TikTok's envelope: HTTP 200 whatever happened; {@code code} says what. */
    private Reply envelope(int code, String message, ObjectNode data) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("code", code);
        body.put("message", message);
        body.put("request_id", "2026112500000000" + (++logId));
        body.put("data", data);
        return Reply.json(200, body).withHeader("X-Tt-Logid", "sandbox" + logId);
    }

    @Override
    protected Reply fault(Fault fault, Request request) {
        return switch (fault) {
            case TRANSIENT -> code(50000, "System error, please retry.");
            case RATE_LIMIT -> code(40100, "Too many requests. Please retry in some time.");
            case TOKEN_EXPIRED -> code(40102, "Access token has expired.");
            case REVOKED -> code(40105, "Access token is incorrect or has been revoked.");
            case PERMANENT -> code(40002, "Invalid parameter.");
        };
    }
}
