package io.cmis.platform.sandbox;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * LinkedIn: OAuth at {@code /oauth/v2} (credentials in the form body, no PKCE, 60-day access
 * tokens, refresh tokens for partner apps that keep their end from the first consent), and the
 * versioned {@code /rest} API, which refuses a call without {@code LinkedIn-Version} (400) or with a
 * retired one (426) and without {@code X-Restli-Protocol-Version: 2.0.0}; finders paged by
 * start/count, the ad-account search by {@code pageToken} only; the Rest.li error envelope, and
 * daily throttles that last until 00:00 UTC.
 */
public final class LinkedInSimulator extends Simulator {
    public static final String CLIENT_ID = "sandbox-linkedin-app";
    public static final String CLIENT_SECRET = "sandbox-linkedin-secret";
    public static final String MEMBER = "urn:li:person:sandboxMember1";
    static final Duration ACCESS_TTL = Duration.ofDays(60);
    static final Duration REFRESH_TTL = Duration.ofDays(365);
    static final Duration CODE_TTL = Duration.ofMinutes(30);
    private static final Set<String> APPROVED_SCOPES = Set.of("r_ads", "rw_ads", "r_ads_reporting",
            "r_organization_admin", "rw_organization_admin", "r_organization_social", "r_basicprofile");

    private final SandboxTokens tokens;
    private final Clock clock;
    private final LinkedInData data = new LinkedInData();
    private final LinkedInFinders finders = new LinkedInFinders(data);
    private final Map<String, String> codeRedirects = new ConcurrentHashMap<>();
    private final Map<String, String> grantedScopes = new ConcurrentHashMap<>();
    private final Map<String, String> memberScopes = new ConcurrentHashMap<>();
    private volatile String signedIn = MEMBER;
    private final Map<String, Instant> throttledUntil = new ConcurrentHashMap<>();
    private final ConcurrentLinkedQueue<Scripted> scripted = new ConcurrentLinkedQueue<>();
    private final List<String> restHeaders = new CopyOnWriteArrayList<>();
    private volatile Set<String> activeVersions = Set.of("202601", "202602", "202603", "202604", "202605", "202606");
    private volatile boolean partnerApp = true;
    private volatile Duration endSkew = Duration.ZERO;
    private final LinkedInWebhookValidator validator;

    private record Scripted(Pattern path, Reply reply) {
    }

    public LinkedInSimulator(int port, Clock clock) {
        super(port);
        this.clock = clock;
        this.tokens = new SandboxTokens(clock);
        this.validator = new LinkedInWebhookValidator(CLIENT_SECRET, clock);
        route("GET", "/oauth/v2/authorization", this::authorize);
        route("POST", "/oauth/v2/accessToken", r -> new LinkedInOAuth(this).token(r));
        route("GET", "/rest/organizationAcls", r -> rest(r, m -> LinkedInFinders.startCount(r, data.acls(m))));
        route("GET", "/rest/organizations", r -> rest(r, m -> finders.organizations(r)));
        route("GET", "/rest/adAccountUsers", r -> rest(r, m -> LinkedInFinders.startCount(r, data.accountUsers(m))));
        route("GET", "/rest/adAccounts", r -> rest(r, m -> finders.search(r)));
        route("GET", "/rest/adAccounts/(\\d+)", r -> rest(r, m -> finders.account(r)));
        route("GET", "/rest/me", r -> rest(r, this::profile));
        // Any other /rest call (the proxy's): version, Rest.li protocol and token checked as above.
        proxied("/rest", r -> null, r -> rest(r, member -> echo(r)));
    }

    // --- what tests set -------------------------------------------------------------------------

    /** How many Pages the member administers and how many ad accounts it can use. */
    public void seed(int pages, int adAccounts) {
        data.pages = pages;
        data.adAccounts = adAccounts;
    }

    /** The LinkedIn-Version months served; months may be missing, as on LinkedIn. */
    public void activeVersions(String... versions) {
        this.activeVersions = Set.of(versions);
    }

    /** Whether the app is an approved partner (only those get refresh tokens). */
    public void partnerApp(boolean partner) {
        this.partnerApp = partner;
    }

    /** Whether {@code adAccounts?q=search} without criteria lists every account (not confirmed on LinkedIn). */
    public void bareSearchListsAll(boolean all) {
        finders.bareSearchListsAll = all;
    }

    /** The batch lookup refuses this Page (403 inside a 200 answer). */
    public void refusePage(long organizationId) {
        data.refusedPages.add(organizationId);
    }

    /** The member's daily quota is used up: its calls get 429 (APPLICATION_AND_MEMBER DAY) until 00:00 UTC. */
    public void exhaustDailyQuota(String member) {
        Instant now = clock.instant();
        throttledUntil.put(member, LocalDate.ofInstant(now, ZoneOffset.UTC).plusDays(1).atStartOfDay(ZoneOffset.UTC)
                .toInstant());
    }

    /** The next request to a path matching {@code pathRegex} gets LinkedIn's error envelope as given. */
    public void answerNext(String pathRegex, int status, String code, int serviceErrorCode, String message) {
        scripted.add(new Scripted(Pattern.compile(pathRegex), error(status, code, serviceErrorCode, message)));
    }

    /** The member revokes the app: every token dies (65601 on use, 400 on refresh). */
    public void revokeMember() {
        tokens.revokeAll(MEMBER);
    }

    /** The member who signs in at the authorization page from now on ({@link #MEMBER} until told). */
    public void signIn(String member) {
        signedIn = member;
    }

    /** A code as the authorization page would hand the redirect URI. */
    public String issueCode(String redirectUri, String scopes) {
        String code = tokens.issue("AQT", signedIn, "code", CODE_TTL);
        codeRedirects.put(code, redirectUri);
        grantedScopes.put(code, scopes);
        return code;
    }

    /** An access token of {@code member}, as if it had connected earlier. */
    public String issueAccessToken(String member) {
        return tokens.issue("AQV", member, "access", ACCESS_TTL);
    }

    /**
     * A refresh token of {@code member} whose year from the consent has {@code left} to run, as one
     * brought along from another tool: its refreshes answer that remaining life in
     * {@code refresh_token_expires_in}.
     */
    public String issueRefreshToken(String member, Duration left) {
        return tokens.issue("AQX", member, "refresh", left);
    }

    /**
     * Refresh answers say {@code skew} more (or less) than what is left of the refresh token's year,
     * as a remaining life counted on LinkedIn's side before the answer's latency does.
     */
    public void refreshEndSkew(Duration skew) {
        this.endSkew = skew;
    }

    Duration endSkew() {
        return endSkew;
    }

    /** {@code LinkedIn-Version} and {@code X-Restli-Protocol-Version} of every {@code /rest} request, "v|p". */
    public List<String> restHeaders() {
        return List.copyOf(restHeaders);
    }

    /** The query of every {@code adAccounts} search request. */
    public List<Map<String, String>> searches() {
        return List.copyOf(finders.searches);
    }

    /** LinkedIn's side of webhook validation and delivery. */
    public LinkedInWebhookValidator webhooks() {
        return validator;
    }

    /** Headers of a delivery of {@code body} signed as the public implementations read LinkedIn's recipe. */
    public static Map<String, String> signedHeaders(String body) {
        byte[] mac = io.cmis.platform.platforms.Signatures.hmacSha256(CLIENT_SECRET,
                "hmacsha256=".getBytes(StandardCharsets.US_ASCII), body.getBytes(StandardCharsets.UTF_8));
        return Map.of("x-li-signature", HexFormat.of().formatHex(mac), "content-type", "application/json");
    }

    /** The other reading of LinkedIn's words: {@code hmacsha256=} followed by the hex HMAC of the body. */
    public static Map<String, String> prefixedSignatureHeaders(String body) {
        byte[] mac = io.cmis.platform.platforms.Signatures.hmacSha256(CLIENT_SECRET,
                body.getBytes(StandardCharsets.UTF_8));
        return Map.of("x-li-signature", "hmacsha256=" + HexFormat.of().formatHex(mac),
                "content-type", "application/json");
    }

    /** A batch of Page social-action notifications with these ids. */
    public static String socialActions(String organization, long... notificationIds) {
        ObjectNode body = JSON.createObjectNode().put("type", "ORGANIZATION_SOCIAL_ACTION_NOTIFICATIONS");
        ArrayNode list = body.putArray("notifications");
        for (long id : notificationIds) {
            ObjectNode n = list.addObject().put("notificationId", id).put("action", id % 2 == 0 ? "LIKE" : "COMMENT")
                    .put("organizationalEntity", organization).put("subscriber", MEMBER)
                    .put("lastModifiedAt", 1787212200000L).put("sourcePost", "urn:li:activity:70946");
            n.putObject("decoratedSourcePost").put("entity", "urn:li:share:70945").put("owner", organization);
        }
        return body.toString();
    }

    // --- package: used by the OAuth half --------------------------------------------------------

    SandboxTokens tokens() {
        return tokens;
    }

    Clock clock() {
        return clock;
    }

    boolean partner() {
        return partnerApp;
    }

    String redirectOf(String code) {
        return codeRedirects.get(code);
    }

    String scopesOf(String code) {
        return grantedScopes.getOrDefault(code, "");
    }

    /** A consent with another scope set than the member's last one invalidates its earlier tokens. */
    void consented(String member, String scopes) {
        String before = memberScopes.put(member, scopes);
        if (before != null && !before.equals(scopes)) {
            tokens.revokeAll(member);
        }
    }

    // --- authorization page ---------------------------------------------------------------------

    private Reply authorize(Request r) {
        Map<String, String> q = r.query();
        String redirect = q.getOrDefault("redirect_uri", "");
        if (!CLIENT_ID.equals(q.get("client_id")) || !redirect.matches("https?://[^#]+")) {
            return error(401, "INVALID_REQUEST", 0, "client_id or redirect_uri does not match the application");
        }
        if (q.containsKey("code_challenge")) {
            return error(400, "INVALID_REQUEST", 0, "PKCE is not enabled for this application");
        }
        String state = q.getOrDefault("state", "");
        String scopes = q.getOrDefault("scope", "");
        for (String scope : scopes.split(" ")) {
            if (!scope.isEmpty() && !APPROVED_SCOPES.contains(scope)) {
                return Reply.redirect(redirect + "?error=unauthorized_scope_error&error_description="
                        + java.net.URLEncoder.encode("Scope \"" + scope + "\" is not authorized for your application",
                        StandardCharsets.UTF_8) + "&state=" + state);
            }
        }
        return Reply.redirect(redirect + "?code=" + issueCode(redirect, scopes) + "&state=" + state);
    }

    // --- the versioned API ----------------------------------------------------------------------

    /** Version, protocol, token and throttles, in LinkedIn's order, then {@code handler} with the member. */
    private Reply rest(Request r, Function<String, Reply> handler) {
        String version = r.header("linkedin-version");
        restHeaders.add(version + "|" + r.header("x-restli-protocol-version"));
        if (version == null || version.isBlank()) {
            return error(400, "VERSION_MISSING", 0, "A version must be present. Please specify a version by adding "
                    + "the LinkedIn-Version header.");
        }
        if (!activeVersions.contains(version)) {
            return error(426, "NONEXISTENT_VERSION", 0, "Requested version " + version + "01 is not active");
        }
        if (!"2.0.0".equals(r.header("x-restli-protocol-version"))) {
            return error(400, "PARAM_INVALID", 0, "Rest.li protocol 1.0 cannot parse this request");
        }
        String auth = r.header("authorization");
        String token = auth != null && auth.startsWith("Bearer ") ? auth.substring(7) : null;
        if (token == null || token.isBlank()) {
            return error(401, "INVALID_ACCESS_TOKEN", 65600, "Empty oauth2_access_token");
        }
        Reply refused = switch (tokens.state(token, "access")) {
            case VALID -> null;
            case EXPIRED -> error(401, "EXPIRED_ACCESS_TOKEN", 65602, "The token used in the request has expired");
            case REVOKED -> error(401, "REVOKED_ACCESS_TOKEN", 65601,
                    "The token used in the request has been revoked by the user");
            case UNKNOWN -> error(401, "INVALID_ACCESS_TOKEN", 65600, "Invalid access token");
        };
        if (refused != null) {
            return refused;
        }
        String member = tokens.find(token).map(SandboxTokens.Issued::subject).orElse(MEMBER);
        for (Scripted s : scripted) {
            if (s.path().matcher(r.path()).matches() && scripted.remove(s)) {
                return s.reply();
            }
        }
        Instant until = throttledUntil.get(member);
        if (until != null && clock.instant().isBefore(until)) {
            return dayLimit();
        }
        return handler.apply(member);
    }

    /** The profile needs a profile scope, which the default scopes do not include. */
    private Reply profile(String member) {
        return error(403, "ACCESS_DENIED", 100, "Not enough permissions to access: me.GET.NO_VERSION");
    }

    static Reply dayLimit() {
        return error(429, "TOO_MANY_REQUESTS", 101,
                "Resource level throttle APPLICATION_AND_MEMBER DAY limit for calls to this resource is reached.");
    }

    static Reply error(int status, String code, int serviceErrorCode, String message) {
        ObjectNode body = JSON.createObjectNode().put("status", status);
        if (serviceErrorCode > 0) {
            body.put("serviceErrorCode", serviceErrorCode);
        }
        body.put("code", code).put("message", message);
        return Reply.json(status, body).withHeader("x-li-uuid", "sandbox-" + Integer.toHexString(status));
    }

    @Override
    protected Reply fault(Fault fault, Request request) {
        return switch (fault) {
            case TRANSIENT -> error(503, "SERVICE_UNAVAILABLE", 0, "Service Unavailable");
            case RATE_LIMIT -> dayLimit();
            case TOKEN_EXPIRED -> error(401, "EXPIRED_ACCESS_TOKEN", 65602, "The token used in the request has expired");
            case REVOKED -> error(401, "REVOKED_ACCESS_TOKEN", 65601,
                    "The token used in the request has been revoked by the user");
            case PERMANENT -> error(403, "ACCESS_DENIED", 100,
                    "Not enough permissions to access: adAccountUsers.FINDER-authenticatedUser");
        };
    }
}
