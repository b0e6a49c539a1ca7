package io.cmis.platform.api;

import io.cmis.platform.integrations.IntegrationNotFoundException;
import io.cmis.platform.store.DatabaseOutage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * The routing table of {@code /api/v1}: method, path pattern ({@code {name}} matches one segment; a
 * last {@code {name...}} matches the rest of the path, one segment or more, as sent),
 * the scope a key needs (none: open to anyone, the OpenAPI document only), and the handler. Every
 * request is authenticated before anything else is said about it, so an unauthenticated caller
 * learns nothing, not even which paths exist.
 */
public final class ApiRoutes {
    public static final String BASE = "/api/v1";
    private static final Logger log = LoggerFactory.getLogger(ApiRoutes.class);
    /** Query parameters in which a key would be written to access logs, proxies and browser history. */
    private static final Set<String> KEY_PARAMETERS = Set.of("key", "api_key", "apikey", "access_token", "token",
            "authorization");

    /** Handles a request that passed the key and scope checks. */
    @FunctionalInterface
    public interface Handler {
        ApiResponse handle(ApiCall call);
    }

    /**
     * A route as added: method, path below {@link #BASE} ({@code /integrations/{id}}), the scope it
     * needs (empty: open). What the OpenAPI document must describe, one operation each.
     */
    public record Endpoint(String method, String path, Optional<ApiScope> scope) {
    }

    /** {@code confirmsKey}: the handler's own read confirms the key unrevoked ({@link ApiCaller#unconfirmed()}). */
    private record Route(Endpoint endpoint, String[] pattern, Handler handler, boolean confirmsKey) {
        String method() {
            return endpoint.method();
        }

        Optional<ApiScope> scope() {
            return endpoint.scope();
        }

        Optional<Map<String, String>> match(String[] path) {
            boolean tail = pattern.length > 0 && pattern[pattern.length - 1].endsWith("...}");
            if (tail ? path.length < pattern.length : path.length != pattern.length) {
                return Optional.empty();
            }
            Map<String, String> params = new LinkedHashMap<>();
            for (int i = 0; i < path.length; i++) {
                if (tail && i == pattern.length - 1) {
                    // The rest, untouched: whoever takes it judges its segments (the proxy refuses "//", "..").
                    params.put(pattern[i].substring(1, pattern[i].length() - 4),
                            String.join("/", java.util.Arrays.copyOfRange(path, i, path.length)));
                    break;
                }
                if (pattern[i].startsWith("{") && pattern[i].endsWith("}")) {
                    if (path[i].isEmpty()) {
                        return Optional.empty();
                    }
                    params.put(pattern[i].substring(1, pattern[i].length() - 1), path[i]);
                } else if (!pattern[i].equals(path[i])) {
                    return Optional.empty();
                }
            }
            return Optional.of(params);
        }
    }

    /** The largest body a route takes unless {@link #limitBodies} says otherwise. */
    public static final int DEFAULT_MAX_BODY = 64 * 1024;

    private final ApiKeys keys;
    private final List<Route> routes = new ArrayList<>();
    private final Map<String, Long> bodyLimits = new LinkedHashMap<>();

    public ApiRoutes(ApiKeys keys) {
        this.keys = keys;
    }

    /** Adds a route; {@code path} is below {@link #BASE}, e.g. {@code /integrations/{id}}. */
    public ApiRoutes add(String method, String path, ApiScope scope, Handler handler) {
        // The document names a tail parameter as any other ({path}): OpenAPI has no syntax for "the rest".
        routes.add(new Route(new Endpoint(method, path.replace("...}", "}"), Optional.of(scope)), segments(BASE + path),
                handler, false));
        return this;
    }

    /**
     * A route whose handler confirms the caller's key itself, in the same round trip as the data it reads
     * (the proxy: one round trip per request): the key is recognised from memory when this host has
     * authenticated it before, and the handler gets an {@link ApiCaller} with {@link ApiCaller#unconfirmed()}
     * to check. A revoked key is still refused at once: the handler's read finds it revoked.
     */
    public ApiRoutes addConfirmingKey(String method, String path, ApiScope scope, Handler handler) {
        routes.add(new Route(new Endpoint(method, path.replace("...}", "}"), Optional.of(scope)), segments(BASE + path),
                handler, true));
        return this;
    }

    /** A route anyone may call (the API's own description). */
    public ApiRoutes addOpen(String method, String path, Handler handler) {
        routes.add(new Route(new Endpoint(method, path, Optional.empty()), segments(BASE + path), handler, false));
        return this;
    }

    /** Bodies of requests whose path starts with {@code prefix} (below {@link #BASE}) may be up to {@code max} bytes. */
    public ApiRoutes limitBodies(String prefix, long max) {
        bodyLimits.put(BASE + prefix, max);
        return this;
    }

    /** The largest body a request to {@code path} may carry (the server reads no more). */
    public long maxBody(String path) {
        return bodyLimits.entrySet().stream().filter(e -> path.startsWith(e.getKey())).mapToLong(Map.Entry::getValue)
                .findFirst().orElse(DEFAULT_MAX_BODY);
    }

    /** Every route, in the order added. */
    public List<Endpoint> endpoints() {
        return routes.stream().map(Route::endpoint).toList();
    }

    public static boolean handles(String path) {
        return path.equals(BASE) || path.startsWith(BASE + "/");
    }

    /** Never throws: every failure is an answer of the one error shape. */
    public ApiResponse handle(ApiRequest request) {
        try {
            return route(request);
        } catch (ApiError e) {
            return e.response();
        } catch (IntegrationNotFoundException e) {
            return ApiError.notFound().response();
        } catch (io.cmis.platform.tokens.CallerKeyRevokedException e) {
            keys.forget(e.keyId());
            return ApiError.unauthorized().response();
        } catch (RuntimeException e) {
            if (DatabaseOutage.of(e).isPresent()) {
                return new ApiError(503, "unavailable", "the database is unreachable; try again shortly",
                        Map.of("Retry-After", "5")).response();
            }
            // The class only: a message may quote what the caller sent.
            log.error("{} {} failed: {}", request.method(), request.path(), e.getClass().getName());
            return new ApiError(500, "internal", "the request failed; it was logged").response();
        }
    }

    private ApiResponse route(ApiRequest request) {
        String[] path = segments(request.path());
        List<Route> onPath = new ArrayList<>();
        Map<Route, Map<String, String>> params = new java.util.IdentityHashMap<>();
        for (Route route : routes) {
            route.match(path).ifPresent(p -> {
                onPath.add(route);
                params.put(route, p);
            });
        }
        Optional<Route> exact = onPath.stream().filter(r -> r.method().equals(request.method())).findFirst();
        if (exact.isPresent() && exact.get().scope().isEmpty()) {
            return exact.get().handler().handle(new ApiCall(null, params.get(exact.get()), request));
        }
        ApiCaller caller = authenticate(request, exact.isPresent() && exact.get().confirmsKey());
        if (onPath.isEmpty()) {
            throw ApiError.notFound();
        }
        if (exact.isEmpty()) {
            Set<String> allowed = new TreeSet<>();
            onPath.forEach(r -> allowed.add(r.method()));
            throw new ApiError(405, "method_not_allowed", request.method() + " is not allowed here; use "
                    + String.join(" or ", allowed), Map.of("Allow", String.join(", ", allowed)));
        }
        ApiScope needed = exact.get().scope().orElseThrow();
        if (!caller.may(needed)) {
            throw new ApiError(403, "insufficient_scope", "this key lacks the scope " + needed.text()
                    + "; create a key with it (cmis-platform api-keys create --scopes ...)");
        }
        return exact.get().handler().handle(new ApiCall(caller, params.get(exact.get()), request));
    }

    private ApiCaller authenticate(ApiRequest request, boolean handlerConfirms) {
        // A key in the query string is refused even beside a good header: it has been written to logs by now.
        for (Map.Entry<String, String> q : request.query().entrySet()) {
            if (KEY_PARAMETERS.contains(q.getKey().toLowerCase(java.util.Locale.ROOT)) || ApiKeys.looksLikeKey(q.getValue())) {
                throw ApiError.unauthorized();
            }
        }
        String header = request.header("authorization").orElse("");
        if (!header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            throw ApiError.unauthorized();
        }
        String presented = header.substring(7).trim();
        return (handlerConfirms ? keys.recognise(presented) : keys.authenticate(presented))
                .orElseThrow(ApiError::unauthorized);
    }

    private static String[] segments(String path) {
        return path.split("/", -1);
    }
}
