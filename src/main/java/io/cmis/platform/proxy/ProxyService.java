package io.cmis.platform.proxy;

import io.cmis.platform.http.GuardedHttpClient;
import io.cmis.platform.http.PlatformRequest;
import io.cmis.platform.platforms.CallContext;
import io.cmis.platform.platforms.CircuitOpenException;
import io.cmis.platform.platforms.ConnectorRegistry;
import io.cmis.platform.platforms.PlatformConnector;
import io.cmis.platform.platforms.PlatformException;
import io.cmis.platform.platforms.ProxyApi;
import io.cmis.platform.platforms.RateLimitExceededException;
import io.cmis.platform.platforms.ReauthRequiredException;
import io.cmis.platform.platforms.TokenExpiredException;
import io.cmis.platform.tenancy.OrgId;
import io.cmis.platform.tenancy.Tenancy;
import io.cmis.platform.tokens.AccessTokens;
import io.cmis.platform.tokens.FreshToken;
import io.cmis.platform.tokens.ReauthMarker;
import io.cmis.platform.tokens.TokenRefreshFailedException;

import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The guarded proxy, shared by {@code /api/v1/proxy/...} and {@code integrations call}: the application's
 * own platform calls on the tool's guarded path. In order: the path is checked (no call can leave the
 * configured base), the token read and refreshed first when due ({@link AccessTokens#fresh}: one refresh
 * across hosts), the API looked up among the connector's {@link PlatformConnector#proxyApis()}, the
 * request authenticated by the connector as its own calls are, and sent by
 * {@link GuardedHttpClient#exchange}: a limited scope or an open breaker refuse before any call, the
 * answer is classified, logged and its limits recorded. A refused token (401) is refreshed once and the
 * call made once more (the platform said it did not act); refused again, the integration is marked
 * {@code needs_reauth}. Nothing else is retried: a call that may have reached the platform is the
 * application's to repeat.
 */
public final class ProxyService {
    /**
     * The methods the route takes: those the guarded path's transport (HttpURLConnection) sends, and
     * PATCH, which it cannot: to an API that documents it ({@link ProxyApi#methodOverride()}) a PATCH
     * goes as a POST with {@value #METHOD_OVERRIDE}, to any other it is 405.
     */
    public static final Set<String> METHODS = Set.of("GET", "HEAD", "OPTIONS", "POST", "PUT", "PATCH", "DELETE");
    /** What the transport sends as asked. */
    static final List<String> SENT = List.of("DELETE", "GET", "HEAD", "OPTIONS", "POST", "PUT");
    /** The methods that carry a body. */
    static final Set<String> WITH_BODY = Set.of("POST", "PUT", "PATCH");
    public static final String METHOD_OVERRIDE = "X-HTTP-Method-Override";
    /** After a transient refresh failure: as for credentials reads. */
    static final Duration REFRESH_RETRY_AFTER = Duration.ofSeconds(30);

    /** Told of every proxied call that reached an integration: serve's metrics. */
    @FunctionalInterface
    public interface Observer {
        void proxied(String platform, String outcome);
    }

    private final Tenancy tenancy;
    private final ConnectorRegistry registry;
    private final GuardedHttpClient http;
    private final AccessTokens tokens;
    private final ProxySettings settings;
    private final Clock clock;
    private final List<Observer> observers = new CopyOnWriteArrayList<>();

    public ProxyService(Tenancy tenancy, ConnectorRegistry registry, GuardedHttpClient http, AccessTokens tokens,
                        ProxySettings settings, Clock clock) {
        this.tenancy = tenancy;
        this.registry = registry;
        this.http = http;
        this.tokens = tokens;
        this.settings = settings;
        this.clock = clock;
    }

    public ProxyService observe(Observer observer) {
        observers.add(observer);
        return this;
    }

    public ProxySettings settings() {
        return settings;
    }

    /**
     * Makes the call; the platform's answer whatever it is, or {@link ProxyRefusedException} when the
     * proxy answers instead. An unknown integration or one of another org throws
     * {@link io.cmis.platform.integrations.IntegrationNotFoundException}.
     */
    public ProxyAnswer call(ProxyRequest request) {
        if (!METHODS.contains(request.method())) {
            throw ProxyRefusedException.methodNotAllowed(request.method() + " is not passed on", SENT);
        }
        if (request.body().length > settings.maxBody()) {
            throw ProxyRefusedException.of(413, "too_large", "the body is over proxy.max-body (" + settings.maxBody()
                    + " bytes)");
        }
        if (request.body().length > 0 && !WITH_BODY.contains(request.method())) {
            throw ProxyRefusedException.of(400, "invalid_request", "a body is passed on with POST, PUT and PATCH only");
        }
        ProxyPath path = ProxyPath.check(request.path(), request.rawQuery());
        Map<String, String> headers = ProxyHeaders.toPlatform(request.headers());
        FreshToken token = fresh(request);
        PlatformConnector connector = registry.get(token.platform());
        ProxyApi api = connector.proxyApis().stream().filter(a -> a.name().equals(request.api())).findFirst()
                .orElseThrow(ProxyRefusedException::notFound);
        if (request.method().equals("PATCH") && !api.methodOverride()) {
            throw ProxyRefusedException.methodNotAllowed("PATCH cannot be sent to " + connector.id() + "'s " + api.name()
                    + " API (the transport has no PATCH and the API documents no " + METHOD_OVERRIDE + ")", allowed(api));
        }
        String outcome = "refused";
        try {
            ProxyAnswer answer = send(request, path, headers, token, connector, api);
            outcome = answer.outcome();
            return answer;
        } catch (ProxyRefusedException e) {
            outcome = e.outcome().orElse("refused");
            throw e;
        } finally {
            String told = outcome;
            observers.forEach(o -> o.proxied(token.platform(), told));
        }
    }

    /** The methods passed on to {@code api}, in order. */
    public static List<String> allowed(ProxyApi api) {
        java.util.TreeSet<String> all = new java.util.TreeSet<>(SENT);
        if (api.methodOverride()) {
            all.add("PATCH");
        }
        return List.copyOf(all);
    }

    private FreshToken fresh(ProxyRequest request) {
        FreshToken token;
        try {
            token = tokens.fresh(request.org(), request.integrationId(), request.callerKey());
        } catch (TokenRefreshFailedException e) {
            if (e.needsReauth()) {
                throw reconnect(request, "had the refresh of its token refused by the platform");
            }
            throw new ProxyRefusedException(503, "refresh_unavailable", "transient", "the token expires within "
                    + "tokens.refresh-before and the platform could not refresh it just now; try again in "
                    + REFRESH_RETRY_AFTER.toSeconds() + " s", Optional.of(REFRESH_RETRY_AFTER));
        }
        if (!token.active()) {
            throw reconnect(request, "is " + token.status() + " and no call is made with its token");
        }
        if (token.expiresAt() != null && !token.expiresAt().isAfter(clock.instant())) {
            throw reconnect(request, "has a token that expired at " + token.expiresAt() + " and nothing can renew it");
        }
        return token;
    }

    private ProxyAnswer send(ProxyRequest request, ProxyPath path, Map<String, String> headers, FreshToken token,
                             PlatformConnector connector, ProxyApi api) {
        CallContext context = token.context();
        GuardedHttpClient.Exchange exchange = exchange(request, path, headers, context, connector, api);
        if (refusedToken(exchange)) {
            // The platform did not act on a refused token: one refresh (or the token another process
            // stored meanwhile) and the same call once more, whatever its method.
            Optional<CallContext> renewed;
            try {
                renewed = tokens.afterRejection(request.org(), request.integrationId(), context);
            } catch (TokenRefreshFailedException e) {
                if (e.needsReauth()) {
                    throw reconnect(request, "had its token and then its refresh refused by the platform");
                }
                throw new ProxyRefusedException(503, "refresh_unavailable", "transient", "the platform refused the "
                        + "token and could not refresh it just now; try again in " + REFRESH_RETRY_AFTER.toSeconds()
                        + " s", Optional.of(REFRESH_RETRY_AFTER));
            }
            if (renewed.isPresent()) {
                exchange = exchange(request, path, headers, renewed.get(), connector, api);
            }
            if (renewed.isEmpty() || refusedToken(exchange)) {
                PlatformException failure = exchange.failure().orElseThrow();
                new ReauthMarker(tenancy, clock).mark(request.org(), request.integrationId(), token.platform(),
                        failure.getMessage());
                throw reconnect(request, "had its token refused by the platform" + (renewed.isEmpty()
                        ? " and nothing can renew it" : " again after a refresh") + "; it is marked needs_reauth");
            }
        }
        return answer(exchange);
    }

    private GuardedHttpClient.Exchange exchange(ProxyRequest request, ProxyPath path, Map<String, String> headers,
                                                CallContext context, PlatformConnector connector, ProxyApi api) {
        PlatformRequest.Builder builder = PlatformRequest.proxied(connector.id(), request.method(), api.baseUrl(),
                        path.rawPath(), path.query(), path.label(api.name()))
                .context(request.org().value(), request.integrationId())
                .limitedBy(connector.proxyLimitScopes(api, request.method(),
                        path.rawPath() + (path.query() == null ? "" : "?" + path.query()), context).toArray(String[]::new));
        headers.forEach(builder::header);
        api.headers().forEach(builder::header);
        if (request.method().equals("PATCH")) {
            builder.sentAs("POST", METHOD_OVERRIDE); // only to an API that documents it (checked in call)
        }
        if (request.body().length > 0) {
            builder.bytes(request.body(), request.headers().getOrDefault("content-type", "application/octet-stream"));
        }
        PlatformRequest built = connector.authenticate(builder, api, context).build();
        try {
            return http.exchange(built, connector.classifier(), settings.timeout());
        } catch (RateLimitExceededException e) {
            throw new ProxyRefusedException(429, "rate_limited", "rate_limited", "rate limited ("
                    + scopeKind(e.scope()) + ") for " + seconds(e.retryAfter()) + " s more; no call was made",
                    Optional.of(e.retryAfter()));
        } catch (CircuitOpenException e) {
            Duration wait = Duration.between(clock.instant(), e.openUntil());
            throw new ProxyRefusedException(503, "breaker_open", "transient", connector.id() + "'s circuit breaker "
                    + "is open (too many failures in a row) for " + seconds(wait) + " s more; no call was made",
                    Optional.of(wait.isNegative() ? Duration.ofSeconds(1) : wait));
        }
    }

    private static boolean refusedToken(GuardedHttpClient.Exchange exchange) {
        return exchange.failure().filter(f -> f instanceof TokenExpiredException || f instanceof ReauthRequiredException)
                .isPresent();
    }

    private ProxyAnswer answer(GuardedHttpClient.Exchange exchange) {
        Optional<PlatformException> failure = exchange.failure();
        if (exchange.response() == null) {
            String code = failure.map(PlatformException::errorCode).orElse("network");
            if (code.equals("timeout")) {
                throw new ProxyRefusedException(504, "platform_timeout", "timeout", "the platform did not answer "
                        + "within proxy.timeout (" + settings.timeout().toSeconds() + " s)", Optional.empty());
            }
            throw new ProxyRefusedException(502, "platform_unreachable", "transient", "the platform could not be "
                    + "reached", Optional.empty());
        }
        String outcome = failure.map(ProxyService::outcome).orElse("ok");
        Map<String, String> headers = new LinkedHashMap<>(ProxyHeaders.fromPlatform(exchange.response().headers()));
        String contentType = exchange.response().header("content-type").filter(ProxyHeaders::clean).orElse(null);
        return new ProxyAnswer(exchange.response().status(), exchange.body(), contentType, headers, outcome);
    }

    private static String outcome(PlatformException failure) {
        if (failure instanceof RateLimitExceededException) {
            return "rate_limited";
        }
        if (failure instanceof TokenExpiredException || failure instanceof ReauthRequiredException) {
            return "reauth";
        }
        return failure.transientFailure() ? "transient" : "permanent";
    }

    /** 409 with the reconnect advice (which account, the command that fixes it), as credentials reads answer. */
    private ProxyRefusedException reconnect(ProxyRequest request, String why) {
        String advice = tenancy.inOrg(request.org(), h -> io.cmis.platform.integrations.ReconnectAdvice.about(h,
                request.integrationId(), why));
        return new ProxyRefusedException(409, "reconnect_required", "reauth", advice, Optional.empty());
    }

    /** The kind of a scope only (app, endpoint, an object kind): the ids in it are not the caller's business. */
    private static String scopeKind(String scope) {
        int colon = scope == null ? -1 : scope.indexOf(':');
        return colon < 0 ? String.valueOf(scope) : scope.substring(0, colon);
    }

    private static long seconds(Duration d) {
        return Math.max(1, (d.toMillis() + 999) / 1000);
    }
}
