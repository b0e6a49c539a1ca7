package io.cmis.platform.api;

import io.cmis.platform.proxy.ProxyAnswer;
import io.cmis.platform.proxy.ProxyRefusedException;
import io.cmis.platform.proxy.ProxyRequest;
import io.cmis.platform.proxy.ProxyService;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code GET|HEAD|OPTIONS|POST|PUT|PATCH|DELETE /proxy/{integration_id}/{api}/{path...}} (scope {@code proxy}): the
 * application's platform call made by {@link ProxyService} for an integration of the key's org. The
 * platform's answer comes back as it came plus {@code X-Cmis-Outcome}; the proxy's own refusals in the
 * API's one error shape (with {@code X-Cmis-Outcome} too where the refusal has one).
 */
final class ProxyRoute {
    static final String PATH = "/proxy/{integration_id}/{api}/{path...}";

    private final ProxyService proxy;

    ProxyRoute(ProxyService proxy) {
        this.proxy = proxy;
    }

    void mount(ApiRoutes routes) {
        for (String method : new java.util.TreeSet<>(ProxyService.METHODS)) {
            routes.addConfirmingKey(method, PATH, ApiScope.PROXY, this::handle);
        }
        routes.limitBodies("/proxy/", proxy.settings().maxBody());
    }

    private ApiResponse handle(ApiCall call) {
        ApiRequest request = call.request();
        ProxyAnswer answer;
        try {
            answer = proxy.call(new ProxyRequest(call.caller().org(), call.id("integration_id"), call.params().get("api"),
                    request.method(), call.params().get("path"), request.rawQuery(), request.headers(), request.body(),
                    call.caller().unconfirmed()));
        } catch (ProxyRefusedException e) {
            Map<String, String> headers = new LinkedHashMap<>();
            e.retryAfterSeconds().ifPresent(s -> headers.put("Retry-After", Long.toString(s)));
            e.outcome().ifPresent(o -> headers.put(ProxyAnswer.OUTCOME_HEADER, o));
            if (!e.allow().isEmpty()) {
                headers.put("Allow", String.join(", ", e.allow()));
            }
            throw new ApiError(e.status(), e.code(), e.getMessage(), headers);
        }
        Map<String, String> headers = new LinkedHashMap<>(answer.headers());
        headers.put(ProxyAnswer.OUTCOME_HEADER, answer.outcome());
        // HEAD: the platform's headers, never a body (the transport reads none; this makes sure).
        byte[] body = request.method().equals("HEAD") || answer.body() == null ? new byte[0] : answer.body();
        return ApiResponse.raw(answer.status(), body, answer.contentType(), headers);
    }
}
