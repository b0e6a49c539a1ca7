package io.cmis.platform.sandbox;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Meta Graph API and login dialog: code → short-lived token → {@code fb_exchange_token} long-lived
 * token, {@code /me}, {@code /me/accounts} with page tokens and linked Instagram accounts,
 * {@code /me/adaccounts}, cursor paging ({@code paging.next} absent on the last page), the Graph
 * error envelope with codes and subcodes, and the usage headers.
 */
public final class MetaSimulator extends Simulator {
    public static final String CLIENT_ID = "sandbox-meta-app";
    public static final String CLIENT_SECRET = "sandbox-meta-secret";
    public static final String USER_ID = "10210299214172187";
    public static final String VERIFY_TOKEN = "sandbox-verify-token";
    static final Duration SHORT_LIVED = Duration.ofHours(1);
    static final Duration LONG_LIVED = Duration.ofDays(60);
    private static final String V = "/(v\\d{2}\\.0)";

    private final SandboxTokens tokens;
    private final Map<String, String> codeRedirects = new ConcurrentHashMap<>();
    private volatile int pages = 3;
    private volatile int adAccounts = 2;
    private volatile int appUsage = 12;
    private volatile boolean requireAppSecret;
    private final Clock clock;
    /** Each user's ad accounts are numbered from its own base; the sandbox user's from 1000000000. */
    private final Map<String, Long> adAccountBase = new ConcurrentHashMap<>(Map.of(USER_ID, 1000000000L));
    /** Ad accounts (numeric id) throttled by Meta's business-use-case limit, until when. */
    private final Map<String, java.time.Instant> throttledAdAccounts = new ConcurrentHashMap<>();

    public MetaSimulator(int port, Clock clock) {
        super(port);
        this.tokens = new SandboxTokens(clock);
        this.clock = clock;
        route("GET", V + "/dialog/oauth", this::dialog);
        route("GET", V + "/oauth/access_token", this::accessToken);
        route("GET", V + "/me", r -> authorized(r, user -> Reply.json(200, Map.of("id", user, "name", "Sandbox User"))));
        route("GET", V + "/me/accounts", r -> authorized(r, user -> page(r, pageItems())));
        route("GET", V + "/me/adaccounts", r -> authorized(r, user -> adAccounts(r, user)));
        // Any other Graph call (the proxy's): the app has "Require App Secret" on, so a user token
        // without its appsecret_proof is refused, as Graph refuses it.
        proxied(V, r -> null, r -> authorized(r, true, user -> echo(r)));
    }

    /**
     * Another Meta user with ad accounts of their own (numbered from a base of their own); their
     * long-lived token.
     */
    public String addUser(String userId) {
        adAccountBase.putIfAbsent(userId, 1000000000L * (adAccountBase.size() + 1));
        return tokens.issue("EAAL", userId, "user", LONG_LIVED);
    }

    /**
     * Meta's business-use-case throttle on one ad account ({@code act_<id>}): any call that reads it
     * answers 80004 with {@code X-Business-Use-Case-Usage} naming it, until {@code regainIn} has passed.
     */
    public void throttleAdAccount(String actId, Duration regainIn) {
        throttledAdAccounts.put(actId.replaceFirst("^act_", ""), clock.instant().plus(regainIn));
    }

    private Reply adAccounts(Request r, String user) {
        List<ObjectNode> items = adAccountItems(user);
        for (ObjectNode item : items) {
            String id = item.path("account_id").asText();
            java.time.Instant until = throttledAdAccounts.get(id);
            if (until != null && clock.instant().isBefore(until)) {
                long minutes = Math.max(1, (Duration.between(clock.instant(), until).toSeconds() + 59) / 60);
                return error(400, 80004, 2446079, "There have been too many calls to this ad-account. Wait a bit and "
                        + "try again.").withHeader("X-Business-Use-Case-Usage", "{\"" + id + "\":[{\"type\":"
                        + "\"ads_management\",\"call_count\":100,\"total_cputime\":20,\"total_time\":20,"
                        + "\"estimated_time_to_regain_access\":" + minutes + "}]}");
            }
        }
        return page(r, items).withHeader("X-Business-Use-Case-Usage", "{\"" + items.stream().findFirst()
                .map(i -> i.path("account_id").asText()).orElse("1000000001") + "\":[{\"type\":\"ads_management\","
                + "\"call_count\":" + appUsage + ",\"total_cputime\":3,\"total_time\":4,"
                + "\"estimated_time_to_regain_access\":0}]}");
    }

    /** How many pages (every other one with an Instagram account) and ad accounts the user has. */
    public void seed(int pages, int adAccounts) {
        this.pages = pages;
        this.adAccounts = adAccounts;
    }

    /** A code as the login dialog would hand the redirect URI. */
    public String issueCode(String redirectUri) {
        String code = tokens.issue("AQ", USER_ID, "code", Duration.ofMinutes(10));
        codeRedirects.put(code, redirectUri);
        return code;
    }

    /** A long-lived user token, as if the user had connected earlier. */
    public String issueLongLivedToken() {
        return tokens.issue("EAAL", USER_ID, "user", LONG_LIVED);
    }

    /** Headers of a correctly signed delivery of {@code body}, as Meta sends them. */
    public static Map<String, String> signedHeaders(String body) {
        byte[] mac = io.cmis.platform.platforms.Signatures.hmacSha256(CLIENT_SECRET, body.getBytes(StandardCharsets.UTF_8));
        return Map.of("x-hub-signature-256", "sha256=" + java.util.HexFormat.of().formatHex(mac),
                "content-type", "application/json");
    }

    /** The body of Meta's Deauthorize Callback for {@code userId}: a form with a signed_request. */
    public static String deauthorizeBody(String userId, long issuedAt) {
        String payload = java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(
                ("{\"algorithm\":\"HMAC-SHA256\",\"issued_at\":" + issuedAt + ",\"user_id\":\"" + userId + "\"}")
                        .getBytes(StandardCharsets.UTF_8));
        String signature = java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(
                io.cmis.platform.platforms.Signatures.hmacSha256(CLIENT_SECRET,
                        payload.getBytes(StandardCharsets.US_ASCII)));
        return "signed_request=" + signature + "." + payload;
    }

    /** The user removes the app: every token dies (190/458 on use). */
    public void revokeUser() {
        tokens.revokeAll(USER_ID);
    }

    private Reply dialog(Request r) {
        String code = issueCode(r.query().get("redirect_uri"));
        return Reply.redirect(r.query().get("redirect_uri") + "?code=" + code + "&state=" + r.query().get("state"));
    }

    private Reply accessToken(Request r) {
        Map<String, String> q = r.query();
        if (!CLIENT_ID.equals(q.get("client_id")) || !CLIENT_SECRET.equals(q.get("client_secret"))) {
            return error(400, 101, 0, "Error validating client secret.");
        }
        if ("fb_exchange_token".equals(q.get("grant_type"))) {
            String input = q.get("fb_exchange_token");
            SandboxTokens.State state = tokens.state(input, "user");
            if (state == SandboxTokens.State.REVOKED) {
                return error(400, 190, 458, "Error validating access token: The user has not authorized application.");
            }
            if (state != SandboxTokens.State.VALID) {
                return error(400, 190, 463, "Error validating access token: Session has expired.");
            }
            String token = tokens.issue("EAAL", USER_ID, "user", LONG_LIVED);
            return Reply.json(200, Map.of("access_token", token, "token_type", "bearer",
                    "expires_in", LONG_LIVED.toSeconds()));
        }
        String code = q.get("code");
        if (tokens.state(code, "code") != SandboxTokens.State.VALID || !tokens.use(code)
                || !String.valueOf(codeRedirects.get(code)).equals(q.get("redirect_uri"))) {
            return error(400, 100, 36007, "This authorization code has been used or has expired.");
        }
        String token = tokens.issue("EAAS", USER_ID, "user", SHORT_LIVED);
        return Reply.json(200, Map.of("access_token", token, "token_type", "bearer", "expires_in", SHORT_LIVED.toSeconds()));
    }

    private Reply authorized(Request r, java.util.function.Function<String, Reply> ok) {
        return authorized(r, requireAppSecret, ok);
    }

    /**
     * The app's "Require App Secret" setting for the endpoints above (off by default, as a new app's
     * is); the proxied catch-all always requires the proof.
     */
    public void requireAppSecret(boolean on) {
        this.requireAppSecret = on;
    }

    /**
     * A user token, and its appsecret_proof checked when sent (a wrong one is refused whatever the
     * app's settings) and required when {@code proofRequired} (the app's "Require App Secret").
     */
    private Reply authorized(Request r, boolean proofRequired, java.util.function.Function<String, Reply> ok) {
        String auth = r.header("authorization");
        String token = auth != null && auth.startsWith("Bearer ") ? auth.substring(7) : r.query().get("access_token");
        String proof = r.query().get("appsecret_proof");
        Reply reply = switch (tokens.state(token, "user")) {
            case VALID -> proof == null && proofRequired
                    ? error(400, 100, 0, "GraphMethodException", "API calls from the server require an appsecret_proof argument")
                    : proof != null && !proof.equals(appsecretProof(token))
                    ? error(400, 100, 0, "GraphMethodException", "Invalid appsecret_proof provided in the API argument")
                    : ok.apply(tokens.find(token).map(SandboxTokens.Issued::subject).orElse(USER_ID));
            case EXPIRED -> error(400, 190, 463, "Error validating access token: Session has expired.");
            case REVOKED -> error(400, 190, 458, "Error validating access token: The user has not authorized application.");
            case UNKNOWN -> error(400, 190, 0, "Invalid OAuth access token - Cannot parse access token");
        };
        return reply.withHeader("X-App-Usage", "{\"call_count\":" + appUsage + ",\"total_time\":5,\"total_cputime\":4}");
    }

    private List<ObjectNode> pageItems() {
        List<ObjectNode> items = new ArrayList<>();
        for (int i = 1; i <= pages; i++) {
            ObjectNode page = JSON.createObjectNode().put("id", String.valueOf(112233440000L + i))
                    .put("name", "Sandbox Page " + i).put("category", "Coffee shop")
                    .put("access_token", tokens.issue("EAAP", USER_ID, "page", null));
            ArrayNode tasks = page.putArray("tasks");
            tasks.add("ADVERTISE").add("ANALYZE").add("CREATE_CONTENT").add("MANAGE");
            if (i % 2 == 1) {
                page.putObject("instagram_business_account").put("id", String.valueOf(17841400000000000L + i))
                        .put("username", "sandbox_ig_" + i);
            }
            items.add(page);
        }
        return items;
    }

    private List<ObjectNode> adAccountItems(String user) {
        long base = adAccountBase.getOrDefault(user, 1000000000L);
        List<ObjectNode> items = new ArrayList<>();
        for (int i = 1; i <= adAccounts; i++) {
            items.add(JSON.createObjectNode().put("id", "act_" + (base + i))
                    .put("account_id", String.valueOf(base + i)).put("name", "Sandbox Ads " + i)
                    .put("currency", "USD").put("timezone_name", "America/Los_Angeles")
                    .put("account_status", i % 5 == 0 ? 2 : 1));
        }
        return items;
    }

    /** Cursor paging as Graph does it: {@code next} only while more items follow. */
    private static Reply page(Request r, List<ObjectNode> all) {
        int limit = Math.min(100, Integer.parseInt(r.query().getOrDefault("limit", "25")));
        int offset = r.query().containsKey("after") ? decode(r.query().get("after")) : 0;
        ObjectNode body = JSON.createObjectNode();
        ArrayNode data = body.putArray("data");
        all.subList(Math.min(offset, all.size()), Math.min(all.size(), offset + limit)).forEach(data::add);
        int end = offset + limit;
        ObjectNode paging = body.putObject("paging");
        paging.putObject("cursors").put("before", encode(offset)).put("after", encode(end));
        if (end < all.size()) {
            paging.put("next", "https://graph.facebook.com/v25.0" + r.path().replaceFirst("^/v\\d+\\.0", "")
                    + "?access_token=EAA-in-next-url&limit=" + limit + "&after=" + encode(end));
        }
        return Reply.json(200, body);
    }

    private static String encode(int offset) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(("offset:" + offset).getBytes(StandardCharsets.UTF_8));
    }

    private static int decode(String cursor) {
        return Integer.parseInt(new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8).substring(7));
    }

    /** HMAC-SHA256 of the token keyed with the app secret, in hex: what Graph expects. */
    static String appsecretProof(String token) {
        return java.util.HexFormat.of().formatHex(io.cmis.platform.platforms.Signatures.hmacSha256(CLIENT_SECRET,
                token.getBytes(StandardCharsets.UTF_8)));
    }

    static Reply error(int status, int code, int subcode, String message) {
        return error(status, code, subcode, "OAuthException", message);
    }

    static Reply error(int status, int code, int subcode, String type, String message) {
        ObjectNode error = JSON.createObjectNode();
        ObjectNode e = error.putObject("error").put("message", message).put("type", type).put("code", code)
                .put("fbtrace_id", "AsAnDbOx");
        if (subcode != 0) {
            e.put("error_subcode", subcode);
        }
        return Reply.json(status, error);
    }

    @Override
    protected Reply fault(Fault fault, Request request) {
        return switch (fault) {
            case TRANSIENT -> error(500, 2, 0, "Service temporarily unavailable");
            case RATE_LIMIT -> error(400, 80004, 2446079, "There have been too many calls to this ad-account.")
                    .withHeader("X-Business-Use-Case-Usage", "{\"1000000001\":[{\"type\":\"ads_management\","
                            + "\"call_count\":100,\"total_cputime\":20,\"total_time\":20,"
                            + "\"estimated_time_to_regain_access\":7}]}");
            case TOKEN_EXPIRED -> error(400, 190, 463, "Error validating access token: Session has expired.");
            case REVOKED -> error(400, 190, 460, "Error validating access token: The session has been invalidated.");
            case PERMANENT -> error(400, 100, 0, "Tried accessing nonexisting field (bogus)");
        };
    }
}
