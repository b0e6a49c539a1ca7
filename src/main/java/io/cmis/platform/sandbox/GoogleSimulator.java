package io.cmis.platform.sandbox;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Google OAuth (authorization code with PKCE, refresh tokens that are not rotated,
 * {@code invalid_grant}), userinfo, Google Ads ({@code listAccessibleCustomers}, the
 * {@code customer_client} search with {@code login-customer-id} rules and {@code nextPageToken})
 * and YouTube {@code channels?mine=true}.
 */
public final class GoogleSimulator extends Simulator {
    public static final String CLIENT_ID = "sandbox-google-client.apps.googleusercontent.com";
    public static final String CLIENT_SECRET = "sandbox-google-secret";
    public static final String SUBJECT = "109876543210987654321";
    public static final String MANAGER = "1111111111";
    public static final String PUSH_AUDIENCE = "cmis-platform-sandbox";
    /** The push subscription's service account: the {@code email} of every push token the simulator mints. */
    public static final String PUSH_SERVICE_ACCOUNT = "pubsub-push@sandbox-project.iam.gserviceaccount.com";
    static final Duration ACCESS_TTL = Duration.ofSeconds(3599);
    private static final String V = "/(v\\d{2})";

    private final SandboxTokens tokens;
    private final Map<String, String[]> codes = new ConcurrentHashMap<>();
    /** customer id → its direct children; managers are the keys with children. */
    private final Map<String, List<String>> hierarchy = new ConcurrentHashMap<>();
    private volatile List<String> accessible = List.of();
    /** Other Google users: each reaches its own customer accounts. */
    private final Map<String, List<String>> usersAccessible = new java.util.concurrent.ConcurrentHashMap<>();
    /** Customers whose Ads quota is used up, until when (RESOURCE_EXHAUSTED, rateScope ACCOUNT). */
    private final Map<String, java.time.Instant> exhaustedCustomers = new java.util.concurrent.ConcurrentHashMap<>();
    private final Clock clock;
    private volatile int youtubeChannels = 1;
    private volatile int searchPageSize = 2;
    private volatile java.security.KeyPair signingKey = newKey();
    private volatile String signingKid = "sandbox-key-1";

    public GoogleSimulator(int port, Clock clock) {
        super(port);
        this.tokens = new SandboxTokens(clock);
        this.clock = clock;
        seed(5, 1);
        route("GET", "/o/oauth2/v2/auth", this::authorize);
        route("POST", "/token", this::token);
        route("GET", "/v1/userinfo", r -> authorized(r, () -> usersAccessible.containsKey(subject(r))
                // Users added with addUser granted the Ads scope only (no openid, no email), as the
                // prototype's tokens did: Google refuses to say who they are.
                ? Reply.json(403, Map.of("error", Map.of("code", 403, "status", "PERMISSION_DENIED",
                        "message", "Request had insufficient authentication scopes.")))
                : Reply.json(200, Map.of("sub", subject(r), "email", subject(r) + "@example.com"))));
        route("GET", V + "/customers:listAccessibleCustomers", r -> authorized(r, () -> {
            ObjectNode body = JSON.createObjectNode();
            ArrayNode names = body.putArray("resourceNames");
            usersAccessible.getOrDefault(subject(r), accessible).forEach(id -> names.add("customers/" + id));
            return Reply.json(200, body);
        }));
        route("POST", V + "/customers/(\\d+)/googleAds:search", r -> authorized(r, () -> search(r)));
        route("GET", "/youtube/v3/channels", r -> authorized(r, () -> channels(r)));
        route("GET", "/oauth2/v3/certs", r -> jwks());
        // Any other Ads or YouTube call (the proxy's): the bearer token everywhere, and on Ads the
        // developer token and, under a customer, access to it (directly or through login-customer-id).
        proxied(V, r -> null, r -> authorized(r, () -> adsAccess(r)));
        proxied("/youtube/v3", r -> null, r -> authorized(r, () -> echo(r)));
    }

    /** The sandbox app's developer token (22 characters, like Google's), as {@code google.ads-developer-token}. */
    public static final String DEVELOPER_TOKEN = "SandboxDevToken0000001";

    /**
     * A proxied Ads call as Google answers it: no developer token, a wrong one, a customer the user
     * does not reach (directly, or below the manager named in {@code login-customer-id}), a customer
     * out of quota; else the echo.
     */
    private Reply adsAccess(Request r) {
        String developerToken = r.header("developer-token");
        if (developerToken == null || developerToken.isEmpty()) {
            return adsError(400, "INVALID_ARGUMENT", "requestError", "DEVELOPER_TOKEN_PARAMETER_MISSING",
                    "The developer-token parameter is required for all requests.");
        }
        if (!developerToken.equals(DEVELOPER_TOKEN)) {
            return adsError(401, "UNAUTHENTICATED", "authenticationError", "DEVELOPER_TOKEN_INVALID",
                    "The developer token is not valid.");
        }
        java.util.regex.Matcher customer = java.util.regex.Pattern.compile("/v\\d{2}/customers/(\\d{10})(?:[/:].*)?")
                .matcher(r.path());
        if (customer.matches()) {
            String id = customer.group(1);
            String login = r.header("login-customer-id");
            List<String> reach = usersAccessible.getOrDefault(subject(r), accessible);
            boolean allowed = login == null ? reach.contains(id)
                    : reach.contains(login) && (login.equals(id) || descendant(login, id));
            if (!allowed) {
                return adsError(403, "PERMISSION_DENIED", "authorizationError", "USER_PERMISSION_DENIED",
                        "User doesn't have permission to access customer. Note: If you're accessing a client customer, "
                                + "the manager's customer id must be set in the 'login-customer-id' header.");
            }
            java.time.Instant exhausted = exhaustedCustomers.get(id);
            if (exhausted != null && clock.instant().isBefore(exhausted)) {
                long seconds = Math.max(1, java.time.Duration.between(clock.instant(), exhausted).toSeconds());
                return quotaError("ACCOUNT", seconds, "Too many requests for this customer. Retry in " + seconds + " seconds.");
            }
        }
        return echo(r).withHeader("request-id", "sandbox-request");
    }

    /** A Pub/Sub push token (RS256, Google's issuer) for {@code audience}, valid for {@code ttl}, from the push account. */
    public String pushToken(String audience, Duration ttl, java.time.Instant now) {
        return pushToken(audience, PUSH_SERVICE_ACCOUNT, true, ttl, now);
    }

    /**
     * A token Google would sign for any service account: its {@code email} and {@code email_verified}
     * are what tell the subscription's own account from anyone else's (for tests of forgery).
     */
    public String pushToken(String audience, String email, boolean emailVerified, Duration ttl, java.time.Instant now) {
        Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
        String header = b64.encodeToString(("{\"alg\":\"RS256\",\"kid\":\"" + signingKid + "\",\"typ\":\"JWT\"}")
                .getBytes(StandardCharsets.UTF_8));
        String claims = b64.encodeToString(("{\"aud\":\"" + audience + "\",\"iss\":\"https://accounts.google.com\","
                + "\"azp\":\"113774264463038321964\",\"sub\":\"113774264463038321964\","
                + "\"email\":\"" + email + "\",\"email_verified\":" + emailVerified + ","
                + "\"iat\":" + now.getEpochSecond() + ",\"exp\":" + now.plus(ttl).getEpochSecond() + "}")
                .getBytes(StandardCharsets.UTF_8));
        try {
            java.security.Signature signer = java.security.Signature.getInstance("SHA256withRSA");
            signer.initSign(signingKey.getPrivate());
            signer.update((header + "." + claims).getBytes(StandardCharsets.US_ASCII));
            return header + "." + claims + "." + b64.encodeToString(signer.sign());
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A wrapped Pub/Sub push body. */
    public static String pushBody(String messageId, String json) {
        String data = Base64.getEncoder().encodeToString(json.getBytes(StandardCharsets.UTF_8));
        return "{\"message\":{\"data\":\"" + data + "\",\"attributes\":{\"eventType\":\"sandbox.notice\"},"
                + "\"messageId\":\"" + messageId + "\",\"message_id\":\"" + messageId + "\","
                + "\"publishTime\":\"2026-11-25T12:00:00Z\"},\"subscription\":\"projects/sandbox/subscriptions/cmis\"}";
    }

    /** Google rotates its signing keys: a new key id, the old one no longer published. */
    public void rotateSigningKey() {
        signingKey = newKey();
        signingKid = "sandbox-key-" + System.nanoTime();
    }

    private Reply jwks() {
        java.security.interfaces.RSAPublicKey pub = (java.security.interfaces.RSAPublicKey) signingKey.getPublic();
        Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
        ObjectNode body = JSON.createObjectNode();
        body.putArray("keys").addObject().put("kid", signingKid).put("kty", "RSA").put("alg", "RS256").put("use", "sig")
                .put("n", b64.encodeToString(unsigned(pub.getModulus())))
                .put("e", b64.encodeToString(unsigned(pub.getPublicExponent())));
        return Reply.json(200, body);
    }

    private static byte[] unsigned(java.math.BigInteger value) {
        byte[] bytes = value.toByteArray();
        return bytes[0] == 0 ? java.util.Arrays.copyOfRange(bytes, 1, bytes.length) : bytes;
    }

    private static java.security.KeyPair newKey() {
        try {
            java.security.KeyPairGenerator generator = java.security.KeyPairGenerator.getInstance("RSA");
            generator.initialize(2048);
            return generator.generateKeyPair();
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * A manager with {@code clients} client accounts, one of them a sub-manager with two clients of
     * its own, plus {@code direct} accounts the user reaches without a manager.
     */
    public void seed(int clients, int direct) {
        hierarchy.clear();
        List<String> children = new ArrayList<>();
        for (int i = 1; i <= clients; i++) {
            children.add(String.valueOf(2000000000L + i));
        }
        String subManager = "3333333333";
        children.add(subManager);
        hierarchy.put(MANAGER, children);
        hierarchy.put(subManager, List.of("4000000001", "4000000002"));
        List<String> reach = new ArrayList<>(List.of(MANAGER));
        for (int i = 1; i <= direct; i++) {
            reach.add(String.valueOf(5000000000L + i));
        }
        accessible = reach;
    }

    /** Every non-manager account the seed holds, and every manager: for tests to count. */
    public int accountCount() {
        java.util.Set<String> all = new java.util.HashSet<>(accessible);
        hierarchy.forEach((k, v) -> {
            all.add(k);
            all.addAll(v);
        });
        return all.size();
    }

    public void seedYouTube(int channels) {
        this.youtubeChannels = channels;
    }

    public String issueCode(String redirectUri, String codeChallenge) {
        String code = tokens.issue("4/0A", SUBJECT, "code", Duration.ofMinutes(10));
        codes.put(code, new String[] {redirectUri, codeChallenge});
        return code;
    }

    /** Tokens as if the user had connected before; [access, refresh]. */
    /**
     * Another Google user, who reaches only {@code customerId} (an account without a manager) and
     * granted the Ads scope only (userinfo refuses its token); its access and refresh token.
     */
    public String[] addUser(String subject, String customerId) {
        usersAccessible.put(subject, List.of(customerId));
        return new String[] {tokens.issue("ya29.", subject, "access", ACCESS_TTL),
                tokens.issue("1//0g", subject, "refresh", null)};
    }

    /** The customer's Ads quota is used up for {@code retryIn}: its searches answer RESOURCE_EXHAUSTED. */
    public void exhaustCustomer(String customerId, java.time.Duration retryIn) {
        exhaustedCustomers.put(customerId, clock.instant().plus(retryIn));
    }

    private String subject(Request r) {
        String auth = r.header("authorization");
        return tokens.find(auth != null && auth.startsWith("Bearer ") ? auth.substring(7) : null)
                .map(SandboxTokens.Issued::subject).orElse(SUBJECT);
    }

    public String[] issueTokens() {
        return new String[] {tokens.issue("ya29.", SUBJECT, "access", ACCESS_TTL),
                tokens.issue("1//0g", SUBJECT, "refresh", null)};
    }

    public void revokeUser() {
        tokens.revokeAll(SUBJECT);
    }

    private Reply authorize(Request r) {
        String code = issueCode(r.query().get("redirect_uri"), r.query().get("code_challenge"));
        return Reply.redirect(r.query().get("redirect_uri") + "?code=" + code + "&state=" + r.query().get("state"));
    }

    private Reply token(Request r) {
        Map<String, String> f = r.form();
        if (!CLIENT_ID.equals(f.get("client_id")) || !CLIENT_SECRET.equals(f.get("client_secret"))) {
            return oauthError(401, "invalid_client", "The OAuth client was not found.");
        }
        if ("refresh_token".equals(f.get("grant_type"))) {
            if (tokens.state(f.get("refresh_token"), "refresh") != SandboxTokens.State.VALID) {
                return oauthError(400, "invalid_grant", "Token has been expired or revoked.");
            }
            return Reply.json(200, Map.of("access_token", tokens.issue("ya29.", SUBJECT, "access", ACCESS_TTL),
                    "expires_in", ACCESS_TTL.toSeconds(), "scope", scopes(), "token_type", "Bearer"));
        }
        String code = f.get("code");
        String[] issued = code == null ? null : codes.get(code);
        if (issued == null || tokens.state(code, "code") != SandboxTokens.State.VALID || !tokens.use(code)) {
            return oauthError(400, "invalid_grant", "Bad Request");
        }
        if (!String.valueOf(issued[0]).equals(f.get("redirect_uri"))) {
            return oauthError(400, "redirect_uri_mismatch", "Bad Request");
        }
        if (issued[1] != null && !issued[1].equals(s256(f.getOrDefault("code_verifier", "")))) {
            return oauthError(400, "invalid_grant", "Invalid code verifier.");
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("access_token", tokens.issue("ya29.", SUBJECT, "access", ACCESS_TTL));
        body.put("expires_in", ACCESS_TTL.toSeconds());
        body.put("refresh_token", tokens.issue("1//0g", SUBJECT, "refresh", null));
        body.put("scope", scopes());
        body.put("token_type", "Bearer");
        body.put("id_token", idToken());
        return Reply.json(200, body);
    }

    private Reply search(Request r) {
        String customer = r.match().group(2);
        java.time.Instant exhausted = exhaustedCustomers.get(customer);
        if (exhausted != null && clock.instant().isBefore(exhausted)) {
            long seconds = Math.max(1, java.time.Duration.between(clock.instant(), exhausted).toSeconds());
            return quotaError("ACCOUNT", seconds, "Too many requests for this customer. Retry in " + seconds + " seconds.");
        }
        String login = r.header("login-customer-id");
        if (login == null || !(login.equals(customer) || descendant(login, customer))) {
            return adsError(403, "PERMISSION_DENIED", "authorizationError", "USER_PERMISSION_DENIED",
                    "User doesn't have permission to access customer. Note: If you're accessing a client customer, "
                            + "the manager's customer id must be set in the 'login-customer-id' header.");
        }
        if (r.json().has("pageSize")) {
            return adsError(400, "INVALID_ARGUMENT", "requestError", "PAGE_SIZE_NOT_SUPPORTED", "Page size is not supported.");
        }
        List<ObjectNode> rows = new ArrayList<>();
        rows.add(row(customer, 0, hierarchy.containsKey(customer)));
        hierarchy.getOrDefault(customer, List.of()).forEach(c -> rows.add(row(c, 1, hierarchy.containsKey(c))));
        int offset = r.json().has("pageToken") ? Integer.parseInt(r.json().path("pageToken").asText()) : 0;
        ObjectNode body = JSON.createObjectNode();
        ArrayNode results = body.putArray("results");
        rows.subList(offset, Math.min(rows.size(), offset + searchPageSize)).forEach(results::add);
        if (offset + searchPageSize < rows.size()) {
            body.put("nextPageToken", String.valueOf(offset + searchPageSize));
        }
        body.put("fieldMask", "customerClient.id").put("requestId", "sandbox-request");
        return Reply.json(200, body);
    }

    private boolean descendant(String manager, String customer) {
        for (String child : hierarchy.getOrDefault(manager, List.of())) {
            if (child.equals(customer) || descendant(child, customer)) {
                return true;
            }
        }
        return false;
    }

    private static ObjectNode row(String id, int level, boolean manager) {
        ObjectNode row = JSON.createObjectNode();
        row.putObject("customerClient").put("resourceName", "customers/" + id + "/customerClients/" + id)
                .put("clientCustomer", "customers/" + id).put("level", String.valueOf(level)).put("manager", manager)
                .put("descriptiveName", "Sandbox Customer " + id).put("currencyCode", "EUR")
                .put("timeZone", "Europe/Berlin").put("id", id).put("status", "ENABLED");
        return row;
    }

    private Reply channels(Request r) {
        int max = Integer.parseInt(r.query().getOrDefault("maxResults", "5"));
        int offset = r.query().containsKey("pageToken") ? Integer.parseInt(r.query().get("pageToken")) : 0;
        ObjectNode body = JSON.createObjectNode().put("kind", "youtube#channelListResponse");
        body.putObject("pageInfo").put("totalResults", youtubeChannels).put("resultsPerPage", max);
        ArrayNode items = body.putArray("items");
        for (int i = offset; i < Math.min(youtubeChannels, offset + max); i++) {
            ObjectNode item = items.addObject().put("kind", "youtube#channel").put("id", "UCsandbox" + i);
            item.putObject("snippet").put("title", "Sandbox TV " + i).put("customUrl", "@sandboxtv" + i);
        }
        if (offset + max < youtubeChannels) {
            body.put("nextPageToken", String.valueOf(offset + max));
        }
        return Reply.json(200, body);
    }

    private Reply authorized(Request r, java.util.function.Supplier<Reply> ok) {
        String auth = r.header("authorization");
        String token = auth != null && auth.startsWith("Bearer ") ? auth.substring(7) : null;
        String developerToken = r.header("developer-token");
        if (developerToken != null && !developerToken.equals(DEVELOPER_TOKEN) && !r.path().startsWith("/youtube/")) {
            // A wrong developer token is refused on every Ads call (a missing one only where required).
            return adsError(401, "UNAUTHENTICATED", "authenticationError", "DEVELOPER_TOKEN_INVALID",
                    "The developer token is not valid.");
        }
        return switch (tokens.state(token, "access")) {
            case VALID -> ok.get();
            default -> adsError(401, "UNAUTHENTICATED", "authenticationError", "OAUTH_TOKEN_INVALID",
                    "Request had invalid authentication credentials.");
        };
    }

    private static String scopes() {
        return "https://www.googleapis.com/auth/adwords https://www.googleapis.com/auth/youtube.readonly openid";
    }

    private static String idToken() {
        Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
        return b64.encodeToString("{\"alg\":\"RS256\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8)) + "."
                + b64.encodeToString(("{\"sub\":\"" + SUBJECT + "\",\"email\":\"sandbox@example.com\"}")
                .getBytes(StandardCharsets.UTF_8)) + ".c2lnbmF0dXJl";
    }

    static String s256(String verifier) {
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(verifier.getBytes(StandardCharsets.US_ASCII));
            return Base64.getUrlEncoder().withoutPadding().encodeToString(hash);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static Reply oauthError(int status, String error, String description) {
        return Reply.json(status, Map.of("error", error, "error_description", description));
    }

    static Reply adsError(int status, String rpcStatus, String errorType, String errorCode, String message) {
        ObjectNode body = JSON.createObjectNode();
        ObjectNode error = body.putObject("error").put("code", status).put("message", message).put("status", rpcStatus);
        ObjectNode failure = error.putArray("details").addObject()
                .put("@type", "type.googleapis.com/google.ads.googleads.v26.errors.GoogleAdsFailure");
        ObjectNode first = failure.putArray("errors").addObject().put("message", message);
        first.putObject("errorCode").put(errorType, errorCode);
        if ("RESOURCE_EXHAUSTED".equals(rpcStatus)) {
            first.putObject("details").putObject("quotaErrorDetails").put("rateScope", "DEVELOPER")
                    .put("rateName", "Number of operations for basic access").put("retryDelay", "30s");
        }
        failure.put("requestId", "sandbox-request");
        return Reply.json(status, body);
    }

    /** Google Ads' quota error: whose quota ({@code ACCOUNT} or {@code DEVELOPER}) and when to retry. */
    static Reply quotaError(String rateScope, long retrySeconds, String message) {
        ObjectNode body = JSON.createObjectNode();
        ObjectNode error = body.putObject("error").put("code", 429).put("message", message)
                .put("status", "RESOURCE_EXHAUSTED");
        ObjectNode failure = error.putArray("details").addObject()
                .put("@type", "type.googleapis.com/google.ads.googleads.v26.errors.GoogleAdsFailure");
        ObjectNode first = failure.putArray("errors").addObject().put("message", message);
        first.putObject("errorCode").put("quotaError", "RESOURCE_TEMPORARILY_EXHAUSTED");
        first.putObject("details").putObject("quotaErrorDetails").put("rateScope", rateScope)
                .put("rateName", "Requests per customer").put("retryDelay", retrySeconds + "s");
        failure.put("requestId", "sandbox-request");
        return Reply.json(429, body);
    }

    @Override
    protected Reply fault(Fault fault, Request request) {
        return switch (fault) {
            case TRANSIENT -> adsError(503, "UNAVAILABLE", "internalError", "TRANSIENT_ERROR", "The service is unavailable.");
            case RATE_LIMIT -> adsError(429, "RESOURCE_EXHAUSTED", "quotaError", "RESOURCE_TEMPORARILY_EXHAUSTED",
                    "Too many requests. Retry in 30 seconds.");
            case TOKEN_EXPIRED -> adsError(401, "UNAUTHENTICATED", "authenticationError", "OAUTH_TOKEN_EXPIRED",
                    "Request had invalid authentication credentials.");
            case REVOKED -> oauthError(400, "invalid_grant", "Token has been expired or revoked.");
            case PERMANENT -> adsError(400, "INVALID_ARGUMENT", "queryError", "UNRECOGNIZED_FIELD",
                    "Unrecognized field in the query.");
        };
    }
}
