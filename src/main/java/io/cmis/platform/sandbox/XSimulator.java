package io.cmis.platform.sandbox;

import io.cmis.platform.platforms.x.OAuth1Verifier;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * X on one loopback port, playing api.x.com (the three OAuth 1.0a legs, {@link XOAuthLegs}) and
 * ads-api.x.com ({@code /12/accounts} with opaque cursors and {@code with_deleted}, funding
 * instruments carrying the currency). Every call's signature is verified strictly
 * ({@link XSignatureCheck}); errors come in X's envelopes, a 404 as HTML, 503 OVER_CAPACITY apart
 * from 429 TOO_MANY_REQUESTS, with both rate-limit header families.
 */
public final class XSimulator extends Simulator {
    public static final String CONSUMER_KEY = "sandbox-x-consumer-key";
    public static final String CONSUMER_SECRET = "sandbox-x-consumer-secret";
    public static final String USER_ID = "6253282";
    public static final String SCREEN_NAME = "sandbox_advertiser";
    public static final String VERSION = "12";
    /** The app's numeric id, as X names it in revocations. */
    public static final String APP_ID = "13090192";
    private static final com.fasterxml.jackson.databind.ObjectMapper ACTIVITY_JSON =
            new com.fasterxml.jackson.databind.ObjectMapper();
    /** Accounts a page holds when the request names no {@code count}. */
    static final int DEFAULT_COUNT = 200;
    static final long WINDOW_SECONDS = 900;

    private final Clock clock;
    private final XSignatureCheck signatures;
    private final XOAuthLegs legs;
    private volatile int accounts = 3;
    private volatile int deletedAccounts;
    private volatile boolean appApproved = true;
    private volatile String currency = "USD";
    /** Ad accounts whose own window is spent: their next funding-instrument call answers 429, once each. */
    private final java.util.Set<String> spentAccounts = java.util.concurrent.ConcurrentHashMap.newKeySet();

    public XSimulator(int port, Clock clock) {
        super(port);
        this.clock = clock;
        this.signatures = new XSignatureCheck(clock, baseUrl());
        this.legs = new XOAuthLegs(signatures);
        route("POST", "/oauth/request_token", legs::requestToken);
        route("GET", "/oauth/authorize", legs::authorize);
        route("POST", "/oauth/access_token", legs::accessToken);
        route("GET", "/(\\d+)/accounts", r -> signed(r, () -> accounts(r)));
        route("GET", "/(\\d+)/accounts/([^/]+)/funding_instruments", r -> signed(r, () -> funding(r)));
        // Any other Ads API call (the proxy's): the signature verified as above (query and form body
        // signed, a JSON body not), then the echo, with the account's window under /accounts/{id}.
        proxied("/(\\d+)", r -> null, r -> signed(r, () -> proxiedAnswer(r)));
    }

    private Reply proxiedAnswer(Request r) {
        java.util.regex.Matcher account = java.util.regex.Pattern.compile("/\\d+/accounts/([^/]+)(/.*)?").matcher(r.path());
        if (!account.matches()) {
            return echo(r);
        }
        boolean spent = spentAccounts.remove(account.group(1));
        Reply reply = spent ? XReplies.ads(429, "TOO_MANY_REQUESTS", "Rate limit exceeded") : echo(r);
        return reply.withHeader("x-account-rate-limit-limit", "2000")
                .withHeader("x-account-rate-limit-remaining", spent ? "0" : "1999")
                .withHeader("x-account-rate-limit-reset", String.valueOf(reset()));
    }

    // --- what tests set -------------------------------------------------------------------

    /** The currency every funding instrument answers from now on. */
    public void currency(String code) {
        this.currency = code;
    }

    /**
     * The ad account's own window is spent: its next funding-instrument call (or proxied call under
     * {@code /accounts/{id}}) answers 429 with
     * {@code x-account-rate-limit-remaining: 0}, while the user-level quota is far from spent.
     */
    public void spendAccountWindow(String accountId) {
        spentAccounts.add(accountId);
    }

    /** The external id of the {@code i}-th (0-based) ad account this simulator lists. */
    public static String accountId(int i) {
        return "18ce5" + Integer.toString(i, 36) + "x";
    }

    /** {@code live} ad accounts the user can reach, and {@code deleted} more that only with_deleted shows. */
    public void seed(int live, int deleted) {
        this.accounts = live;
        this.deletedAccounts = deleted;
    }

    /** Whether the app passed the Ads API Access Form; without it every ads call is a 403. */
    public void appApproved(boolean approved) {
        this.appApproved = approved;
    }

    public void denyAuthorization(boolean deny) {
        legs.denyAuthorization = deny;
    }

    /** An access token as if a user had connected: {token, secret}. */
    public String[] issueAccessToken() {
        Map<String, String> answer = parseQuery(legs.issue(USER_ID, SCREEN_NAME));
        return new String[] {answer.get("oauth_token"), answer.get("oauth_token_secret")};
    }

    /** The user revoked the app in their X settings. */
    public void revoke(String accessToken) {
        legs.revoke(accessToken);
    }

    /** Every access token, token secret and verifier issued so far: what must never show up anywhere. */
    public java.util.Set<String> issuedSecrets() {
        return java.util.Set.copyOf(legs.issuedSecrets);
    }

    /** The headers X sends with a webhook delivery of {@code body}. */
    public static Map<String, String> signedHeaders(String body) {
        byte[] mac = io.cmis.platform.platforms.Signatures.hmacSha256(CONSUMER_SECRET,
                body.getBytes(StandardCharsets.UTF_8));
        return Map.of("content-type", "application/json",
                "x-twitter-webhooks-signature", "sha256=" + Base64.getEncoder().encodeToString(mac));
    }

    /**
     * An X Activity API delivery as X posts it: {@code {"data":{"event_uuid","filter","event_type",
     * "tag","payload","includes"}}}. {@code filterUserId} null gives the empty filter of an
     * {@code oauth.revoke}.
     */
    public static String activityBody(String eventUuid, String eventType, String filterUserId,
                                      com.fasterxml.jackson.databind.JsonNode payload) {
        com.fasterxml.jackson.databind.node.ObjectNode root = ACTIVITY_JSON.createObjectNode();
        com.fasterxml.jackson.databind.node.ObjectNode data = root.putObject("data");
        data.put("event_uuid", eventUuid);
        com.fasterxml.jackson.databind.node.ObjectNode filter = data.putObject("filter");
        if (filterUserId != null) {
            filter.put("user_id", filterUserId);
        }
        data.put("event_type", eventType);
        data.put("tag", eventType.substring(0, Math.max(0, eventType.indexOf('.'))));
        data.set("payload", payload);
        data.putObject("includes");
        return root.toString();
    }

    /** XAA {@code post.create}: the user the subscription filters on posted {@code postId}. */
    public static String activityPostCreate(String eventUuid, String userId, String postId) {
        com.fasterxml.jackson.databind.node.ObjectNode payload = ACTIVITY_JSON.createObjectNode()
                .put("id", postId).put("author_id", userId).put("text", "hello from the sandbox");
        return activityBody(eventUuid, "post.create", userId, payload);
    }

    /** XAA {@code oauth.revoke}: empty filter, {@code payload{date_time,user_id,app_id}}. */
    public static String activityRevoke(String eventUuid, String userId, java.time.Instant at) {
        com.fasterxml.jackson.databind.node.ObjectNode payload = ACTIVITY_JSON.createObjectNode()
                .put("date_time", at.toString()).put("user_id", userId).put("app_id", APP_ID);
        return activityBody(eventUuid, "oauth.revoke", null, payload);
    }

    /** Why the latest refused request was refused (a reused nonce, a stale timestamp, ...). */
    public Optional<OAuth1Verifier.Outcome> lastRefusal() {
        return signatures.lastRefusal();
    }

    // --- the Ads API ------------------------------------------------------------------------

    private Reply signed(Request r, java.util.function.Supplier<Reply> answer) {
        OAuth1Verifier.Verdict verdict = signatures.check(r, token -> legs.access(token).map(XOAuthLegs.Access::secret));
        if (!verdict.valid()) {
            return XReplies.ads(401, "UNAUTHORIZED_ACCESS", "This request is not properly authenticated");
        }
        if (legs.access(verdict.parameter("oauth_token").orElse("")).map(XOAuthLegs.Access::revoked).orElse(true)) {
            return XReplies.ads(401, "UNAUTHORIZED_ACCESS", "This request is not properly authenticated");
        }
        if (!appApproved) {
            return XReplies.ads(403, "UNAUTHORIZED_CLIENT_APPLICATION",
                    "The client application making this request does not have access to Twitter Ads API");
        }
        if (!VERSION.equals(r.match().group(1))) {
            return XReplies.ads(404, "ROUTE_NOT_FOUND", "The requested resource could not be found");
        }
        return withLimits(answer.get());
    }

    private Reply accounts(Request r) {
        boolean withDeleted = "true".equals(r.query().get("with_deleted"));
        int total = accounts + (withDeleted ? deletedAccounts : 0);
        int count;
        try {
            count = Integer.parseInt(r.query().getOrDefault("count", String.valueOf(DEFAULT_COUNT)));
        } catch (NumberFormatException e) {
            count = -1;
        }
        if (count < 1 || count > 1000) {
            return XReplies.ads(400, "INVALID_PARAMETER", "Expected an integer between 1 and 1000 for count");
        }
        Optional<Integer> start = cursor(r.query().get("cursor"));
        if (start.isEmpty()) {
            return XReplies.ads(400, "INVALID_PARAMETER", "Invalid cursor");
        }
        List<Map<String, Object>> data = new ArrayList<>();
        int end = Math.min(total, start.get() + count);
        for (int i = start.get(); i < end; i++) {
            data.add(account(i, i >= accounts));
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("request", Map.of("params", r.query()));
        body.put("next_cursor", end < total ? encodeCursor(end) : null);
        body.put("data", data);
        return Reply.json(200, body);
    }

    private Reply funding(Request r) {
        if (spentAccounts.remove(r.match().group(2))) {
            return XReplies.ads(429, "TOO_MANY_REQUESTS", "Rate limit exceeded")
                    .withHeader("x-account-rate-limit-limit", "2000")
                    .withHeader("x-account-rate-limit-remaining", "0")
                    .withHeader("x-account-rate-limit-reset", String.valueOf(reset()));
        }
        Map<String, Object> instrument = new LinkedHashMap<>();
        instrument.put("id", "fi-" + r.match().group(2));
        instrument.put("account_id", r.match().group(2));
        instrument.put("currency", currency);
        instrument.put("type", "CREDIT_CARD");
        instrument.put("entity_status", "ACTIVE");
        instrument.put("able_to_fund", true);
        instrument.put("deleted", false);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("request", Map.of("params", Map.of()));
        body.put("data", List.of(instrument));
        body.put("next_cursor", null);
        return Reply.json(200, body)
                .withHeader("x-account-rate-limit-limit", "2000")
                .withHeader("x-account-rate-limit-remaining", "1999")
                .withHeader("x-account-rate-limit-reset", String.valueOf(reset()));
    }

    private static Map<String, Object> account(int i, boolean deleted) {
        Map<String, Object> a = new LinkedHashMap<>();
        a.put("id", accountId(i));
        a.put("name", "Sandbox account " + (i + 1));
        a.put("business_name", null);
        a.put("timezone", "America/Los_Angeles");
        a.put("approval_status", "ACCEPTED");
        a.put("deleted", deleted);
        return a;
    }

    private static Optional<Integer> cursor(String cursor) {
        if (cursor == null) {
            return Optional.of(0);
        }
        try {
            String text = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
            return text.startsWith("at:") ? Optional.of(Integer.parseInt(text.substring(3))) : Optional.empty();
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    private static String encodeCursor(int offset) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(("at:" + offset).getBytes(StandardCharsets.UTF_8));
    }

    private long reset() {
        return clock.instant().getEpochSecond() + WINDOW_SECONDS;
    }

    private Reply withLimits(Reply reply) {
        return reply.withHeader("x-rate-limit-limit", "2000").withHeader("x-rate-limit-remaining", "1999")
                .withHeader("x-rate-limit-reset", String.valueOf(reset()))
                .withHeader("x-current-api-version", VERSION);
    }

    @Override
    protected Reply fault(Fault fault, Request request) {
        return switch (fault) {
            case TRANSIENT -> XReplies.ads(503, "OVER_CAPACITY", "Service is over capacity");
            case RATE_LIMIT -> XReplies.ads(429, "TOO_MANY_REQUESTS", "Rate limit exceeded")
                    .withHeader("x-rate-limit-limit", "5").withHeader("x-rate-limit-remaining", "0")
                    .withHeader("x-rate-limit-reset", String.valueOf(reset()));
            // X tokens do not expire; a dead one is a revoked one, in the Ads or the legacy envelope.
            case TOKEN_EXPIRED -> XReplies.ads(401, "UNAUTHORIZED_ACCESS", "This request is not properly authenticated");
            case REVOKED -> XReplies.legacy(401, 89, "Invalid or expired token.");
            case PERMANENT -> XReplies.html(404);
        };
    }
}
