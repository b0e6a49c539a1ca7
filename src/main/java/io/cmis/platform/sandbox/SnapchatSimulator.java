package io.cmis.platform.sandbox;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * Snapchat on one loopback port: accounts.snapchat.com ({@link SnapchatAccounts}), the Ads API
 * ({@code /v1/me}, {@code /v1/me/organizations} with nested bare ad accounts, paging by absolute
 * {@code next_link} with an opaque cursor, organizations failing inside a 200, statuses in either
 * case, 401 bodies that are not JSON) and the Public Profile API (its own scope, an allowlist,
 * wrapped or bare items). No webhook surface: Snap documents none.
 */
public final class SnapchatSimulator extends Simulator {
    public static final String CLIENT_ID = "sandbox-snapchat-client";
    public static final String CLIENT_SECRET = "sandbox-snapchat-secret";
    public static final String ME_ID = "a22b5b4e-8c8f-4c1b-9d0f-5d6a7e8f9a01";
    public static final String MARKETING_SCOPE = "snapchat-marketing-api";
    public static final String PROFILE_SCOPE = "snapchat-profile-api";
    /** Organizations a page holds when the request names no {@code limit}. */
    static final int DEFAULT_PAGE = 50;

    /** What a refresh answer does with the refresh token (Snap does not document it). */
    public enum RefreshAnswer { SAME, ROTATED, ABSENT }

    /** Which 401 body an expired, revoked or missing token gets. */
    public enum UnauthorizedBody { PLAIN, ENVELOPE, EMPTY }

    private final SnapchatAccounts accounts;
    private final AtomicInteger requestIds = new AtomicInteger();
    private final AtomicInteger transientFaults = new AtomicInteger();
    private volatile UnauthorizedBody unauthorizedBody = UnauthorizedBody.PLAIN;
    private volatile boolean lowercaseStatuses;
    private volatile boolean profilesWrapped = true;
    private volatile boolean bareMe;
    private volatile boolean profileAllowlisted = true;
    private volatile String nextLinkBase;
    private volatile Long retryAfterSeconds;
    private volatile int organizations = 2;
    private volatile int adAccountsEach = 2;
    private volatile int profiles = 1;
    private volatile Set<Integer> failingOrganizations = Set.of();

    public SnapchatSimulator(int port, Clock clock) {
        super(port);
        this.accounts = new SnapchatAccounts(clock);
        route("GET", "/login/oauth2/authorize", accounts::authorize);
        route("POST", "/login/oauth2/access_token", accounts::token);
        route("GET", "/v1/me", r -> withToken(r, () -> me()));
        route("GET", "/v1/me/organizations", r -> withToken(r, () -> organizations(r)));
        route("GET", "/v1/me/public_profiles", r -> withToken(r, () -> profiles(r)));
        // Any other Ads or Public Profile API call (the proxy's): the bearer token, then the echo in
        // Snapchat's success envelope.
        proxied("/v1", r -> null, r -> withToken(r, () -> Reply.json(200, echoBody(r)
                .put("request_status", status("SUCCESS")).put("request_id", requestId()))));
    }

    // --- what tests set -------------------------------------------------------------------

    /** {@code organizations} organizations with {@code adAccountsEach} ad accounts each, none failing. */
    public void seed(int organizations, int adAccountsEach) {
        this.organizations = organizations;
        this.adAccountsEach = adAccountsEach;
        this.failingOrganizations = Set.of();
    }

    public void seedProfiles(int profiles) {
        this.profiles = profiles;
    }

    /** These organizations (1-based) come back in a 200 with {@code sub_request_status: ERROR}. */
    public void failOrganizations(Integer... positions) {
        this.failingOrganizations = Set.of(positions);
    }

    public void accessTokenLifetime(Duration ttl) {
        accounts.accessTtl = ttl;
    }

    public void refreshAnswer(RefreshAnswer answer) {
        accounts.refreshAnswer = answer;
    }

    public void unauthorizedBody(UnauthorizedBody body) {
        this.unauthorizedBody = body;
    }

    /** The authorize page redirects with {@code error=access_denied} (the value is assumed, not documented). */
    public void denyAuthorization(boolean deny) {
        accounts.denyAuthorization = deny;
    }

    /** Statuses written {@code success} as the Organizations sample does, instead of {@code SUCCESS}. */
    public void lowercaseStatuses(boolean lowercase) {
        this.lowercaseStatuses = lowercase;
    }

    /** {@code /v1/me} as the user object alone: no {@code "me"} wrapper, no request_status (not documented, seen). */
    public void bareMe(boolean bare) {
        this.bareMe = bare;
    }

    /** Profiles as {@code public_profiles[].public_profile} (true) or bare (false). */
    public void profilesWrapped(boolean wrapped) {
        this.profilesWrapped = wrapped;
    }

    public void profileAllowlisted(boolean allowlisted) {
        this.profileAllowlisted = allowlisted;
    }

    /** next_link on another origin (e.g. another loopback host); null: this simulator's own. */
    public void nextLinkBase(String base) {
        this.nextLinkBase = base;
    }

    /** A 429 carries {@code Retry-After} (Snap documents none); null: no header. */
    public void retryAfterOnThrottle(Long seconds) {
        this.retryAfterSeconds = seconds;
    }

    public void registeredRedirect(String redirectUri) {
        accounts.registeredRedirect = redirectUri;
    }

    public String issueCode(String redirectUri, String scope) {
        return accounts.issueCode(redirectUri, scope);
    }

    /** Tokens as if the user had connected with {@code scope} (space-separated): [access, refresh]. */
    public String[] issueTokens(String scope) {
        return accounts.issueTokens(scope);
    }

    /**
     * Snap refuses every access token issued so far (401 on use) before its {@code expires_in}, while the
     * refresh token still works: a refresh mints one that is accepted.
     */
    public void revokeAccessTokens() {
        accounts.revokeAccessTokens();
    }

    /** The user removes the app's access: every token dies (401 on use, invalid_grant on refresh). */
    public void revokeUser() {
        accounts.revokeUser();
    }

    /** The ids the seed gives, for tests to compare. */
    public static String organizationId(int i) {
        return SnapchatSeed.organizationId(i);
    }

    public static String adAccountId(int organization, int i) {
        return SnapchatSeed.adAccountId(organization, i);
    }

    // --- the Ads API and the Public Profile API -------------------------------------------

    private Reply withToken(Request r, Supplier<Reply> then) {
        String auth = r.header("authorization");
        String token = auth != null && auth.startsWith("Bearer ") ? auth.substring(7).trim() : null;
        return accounts.valid(token) ? then.get() : unauthorized();
    }

    private Reply unauthorized() {
        return switch (unauthorizedBody) {
            case PLAIN -> text(401, "unauthorized");
            case EMPTY -> new Reply(401, Map.of(), "");
            case ENVELOPE -> error(401, "E1002", "Unauthorized");
        };
    }

    private Reply me() {
        if (bareMe) {
            return Reply.json(200, SnapchatSeed.me(ME_ID));
        }
        ObjectNode body = envelope();
        body.set("me", SnapchatSeed.me(ME_ID));
        return Reply.json(200, body);
    }

    private Reply organizations(Request r) {
        Page page = page(r);
        if (page == null) {
            return error(400, "E1008", "limit must be between 50 and 1000, with a cursor from next_link");
        }
        boolean nested = "true".equals(r.query().get("with_ad_accounts"));
        ObjectNode body = envelope();
        ArrayNode items = body.putArray("organizations");
        for (int i = page.from + 1; i <= Math.min(organizations, page.from + page.size); i++) {
            boolean failing = failingOrganizations.contains(i);
            ObjectNode item = items.addObject().put("sub_request_status", status(failing ? "ERROR" : "SUCCESS"));
            if (failing) {
                item.put("sub_request_error_reason", "E3002: Caller does not have permission");
            }
            ObjectNode organization = SnapchatSeed.organization(i);
            item.set("organization", organization);
            if (nested && !failing) {
                ArrayNode accounts = organization.putArray("ad_accounts");
                for (int a = 1; a <= adAccountsEach; a++) {
                    accounts.add(SnapchatSeed.adAccount(i, a));
                }
            }
        }
        link(body, r.path(), page, organizations, nested ? "with_ad_accounts=true&" : "");
        return Reply.json(200, body);
    }

    private Reply profiles(Request r) {
        if (!accounts.scopeOf(bearer(r)).contains(PROFILE_SCOPE) || !profileAllowlisted) {
            return error(403, "E3002", "Caller does not have permission");
        }
        Page page = page(r);
        if (page == null) {
            return error(400, "E1008", "limit must be between 50 and 1000, with a cursor from next_link");
        }
        ObjectNode body = envelope();
        ArrayNode items = body.putArray("public_profiles");
        for (int i = page.from + 1; i <= Math.min(profiles, page.from + page.size); i++) {
            ObjectNode profile = SnapchatSeed.profile(i);
            if (profilesWrapped) {
                items.addObject().put("sub_request_status", status("SUCCESS")).set("public_profile", profile);
            } else {
                items.add(profile);
            }
        }
        link(body, r.path(), page, profiles, "");
        return Reply.json(200, body);
    }

    private String bearer(Request r) {
        String auth = r.header("authorization");
        return auth == null ? "" : auth.substring(Math.min(auth.length(), 7));
    }

    /** Where a page starts and how long it is; null for a limit outside 50-1000. */
    private record Page(int from, int size) {
    }

    private static Page page(Request r) {
        int size = DEFAULT_PAGE;
        if (r.query().containsKey("limit")) {
            try {
                size = Integer.parseInt(r.query().get("limit"));
            } catch (NumberFormatException e) {
                return null;
            }
            if (size < 50 || size > 1000) {
                return null;
            }
        }
        String cursor = r.query().get("cursor");
        try {
            int from = cursor == null ? 0
                    : Integer.parseInt(new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8));
            return new Page(from, size);
        } catch (IllegalArgumentException e) { // a cursor this simulator did not hand out
            return null;
        }
    }

    /** The last page has no paging at all; others an absolute next_link with an opaque cursor and the limit. */
    private void link(ObjectNode body, String path, Page page, int total, String query) {
        int next = page.from + page.size;
        if (next < total) {
            String cursor = Base64.getUrlEncoder().withoutPadding()
                    .encodeToString(String.valueOf(next).getBytes(StandardCharsets.UTF_8));
            String base = nextLinkBase == null ? baseUrl() : nextLinkBase;
            body.putObject("paging").put("next_link", base + path + "?" + query + "cursor=" + cursor
                    + "&limit=" + page.size);
        }
    }

    private ObjectNode envelope() {
        ObjectNode body = JSON.createObjectNode();
        body.put("request_status", status("SUCCESS"));
        body.put("request_id", requestId());
        return body;
    }

    private Reply error(int status, String code, String message) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("request_status", status("ERROR"));
        body.put("request_id", requestId());
        body.put("debug_message", message);
        body.put("display_message", "We're sorry, but the requested resource is not available at this time");
        body.put("error_code", code);
        return Reply.json(status, body);
    }

    private String status(String upper) {
        return lowercaseStatuses ? upper.toLowerCase(java.util.Locale.ROOT) : upper;
    }

    private String requestId() {
        return SnapchatSeed.uuid("request-" + requestIds.incrementAndGet());
    }

    private static Reply text(int status, String text) {
        return new Reply(status, Map.of("Content-Type", "text/plain"), text);
    }

    /**
     * Snap's own answers. A transient fault takes turns through what the real front ends send: a 503
     * envelope, a 502 HTML page, a 200 with JSON cut off, an empty 504.
     */
    @Override
    protected Reply fault(Fault fault, Request request) {
        boolean token = request.path().startsWith("/login/oauth2/");
        return switch (fault) {
            case TRANSIENT -> switch (transientFaults.getAndIncrement() % 4) {
                case 0 -> error(503, "E5003", "Service unavailable");
                case 1 -> new Reply(502, Map.of("Content-Type", "text/html"), "<html><body>502 Bad Gateway</body>");
                case 2 -> new Reply(200, Map.of("Content-Type", "application/json"), "{\"request_status\":\"SUCC");
                default -> new Reply(504, Map.of(), "");
            };
            case RATE_LIMIT -> {
                Reply limited = token ? text(429, "Too Many Requests") : error(429, "E1009", "Too many requests");
                yield retryAfterSeconds == null ? limited
                        : limited.withHeader("Retry-After", String.valueOf(retryAfterSeconds));
            }
            case TOKEN_EXPIRED -> token ? SnapchatAccounts.error(400, "invalid_grant", "Invalid refresh token")
                    : text(401, "unauthorized");
            case REVOKED -> token ? SnapchatAccounts.error(400, "invalid_grant", "Invalid refresh token")
                    : error(401, "E1002", "Unauthorized");
            case PERMANENT -> token ? SnapchatAccounts.error(400, "invalid_request", "Bad request")
                    : error(400, "E1001", "Invalid parameter: with_ad_accounts");
        };
    }
}
