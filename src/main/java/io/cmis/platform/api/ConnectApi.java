package io.cmis.platform.api;

import io.cmis.platform.connect.BrowserConnect;
import io.cmis.platform.connect.ConnectException;
import io.cmis.platform.connect.ConnectLink;
import io.cmis.platform.connect.NoCallbackException;
import io.cmis.platform.connect.ReturnToNotAllowedException;
import io.cmis.platform.platforms.ConnectorRegistry;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code POST /connect/{platform}}: the application starts a connect flow for its signed-in user, in
 * the key's org. The answer's {@code authorization_url} is serve's one-time, browser-binding start
 * link ({@code connect start --browser}'s); {@code state} is the flow's id, which the application
 * keeps in its user's session and checks when the browser comes back to {@code return_to}.
 */
final class ConnectApi {
    private final BrowserConnect connect;

    ConnectApi(BrowserConnect connect) {
        this.connect = connect;
    }

    void mount(ApiRoutes routes) {
        routes.add("POST", "/connect/{platform}", ApiScope.CONNECT, this::start);
    }

    private ApiResponse start(ApiCall call) {
        String platform = call.params().get("platform");
        if (!ConnectorRegistry.knownIds().contains(platform)) {
            throw ApiError.notFound();
        }
        ConnectRequest body = ConnectRequest.parse(call.request().body());
        if (body.kind().isPresent() && !connect.tokenKinds(platform).contains(body.kind().get())) {
            throw ApiError.badRequest("kind: not a " + platform + " token kind; use one of "
                    + String.join(", ", connect.tokenKinds(platform)));
        }
        ConnectLink link;
        try {
            link = connect.linkForApp(platform, call.caller().org(), body.scopes(), body.kind(), body.returnTo());
        } catch (ReturnToNotAllowedException e) {
            throw new ApiError(400, "return_to_not_allowed", e.getMessage());
        } catch (NoCallbackException e) {
            throw new ApiError(400, "callback_not_configured", e.getMessage());
        } catch (ConnectException e) {
            throw ApiError.badRequest(e.getMessage());
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("authorization_url", link.startUrl().toString());
        out.put("state", link.flowId().toString());
        out.put("expires_at", link.expiresAt());
        out.put("platform", link.platform());
        return ApiResponse.ok(out);
    }
}
