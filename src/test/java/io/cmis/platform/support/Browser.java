package io.cmis.platform.support;

import com.fasterxml.jackson.databind.JsonNode;
import io.cmis.platform.cli.Json;

import java.net.CookieManager;
import java.net.CookiePolicy;
import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One browser with its own cookie jar, playing a user of a browser connect flow against serve and the
 * sandbox: opens a start link of {@code connect start --browser}, consents at the platform, and lands
 * on serve's callback. Redirects are followed by hand so each leg can be inspected (and stopped).
 */
public final class Browser {
    private final HttpClient client = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER)
            .cookieHandler(new CookieManager(null, CookiePolicy.ACCEPT_ALL)).build();

    /** Where the platform sent the browser back (rewritten to the test's serve), and what it carried. */
    public record Landing(URI callback, String state, String code, String setCookie) {
    }

    /** connect start --browser; the start link as printed. */
    public static URI startLink(CliRun cli, String org, String platform, String... extra) throws Exception {
        List<String> args = new ArrayList<>(List.of("--json", "connect", "start", platform, "--org", org, "--browser"));
        args.addAll(List.of(extra));
        JsonNode link = Json.MAPPER.readTree(cli.run(args.toArray(String[]::new)).ok().stdout());
        return URI.create(link.get("start_url").asText());
    }

    /** Opens the start link on {@code server}: the answer (302 to the platform with the binding cookie). */
    public HttpResponse<String> open(WebhookServer server, URI startLink) throws Exception {
        return get(on(server, startLink));
    }

    /** The whole way to the callback, not visiting it: start link, consent at the platform. */
    public Landing begin(CliRun cli, WebhookServer server, String org, String platform, String... extra)
            throws Exception {
        HttpResponse<String> start = open(server, startLink(cli, org, platform, extra));
        if (start.statusCode() != 302) {
            throw new AssertionError("the start link did not redirect: " + start.statusCode() + " " + start.body());
        }
        URI authorization = URI.create(start.headers().firstValue("location").orElseThrow());
        return consent(server, authorization, start.headers().firstValue("set-cookie").orElse(""));
    }

    /** What a browser does with an authorization URL (its own, or one somebody sent it). */
    public Landing consent(WebhookServer server, URI authorization, String setCookie) throws Exception {
        HttpResponse<String> consent = get(authorization);
        if (consent.statusCode() != 302) {
            throw new AssertionError("the platform did not redirect: " + consent.statusCode());
        }
        URI back = URI.create(consent.headers().firstValue("location").orElseThrow());
        Map<String, String> query = query(back);
        String state = query.getOrDefault("state", query.getOrDefault("oauth_token", query.get("denied")));
        String code = query.getOrDefault("code", query.getOrDefault("auth_code", query.get("oauth_verifier")));
        return new Landing(on(server, back), state, code, setCookie);
    }

    public HttpResponse<String> get(URI uri) throws Exception {
        return client.send(HttpRequest.newBuilder(uri).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    /** The sandbox's redirect URIs name port 8080; the test's serve listens elsewhere. */
    public static URI on(WebhookServer server, URI uri) {
        return server.uri(uri.getRawPath() + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery()));
    }

    private static Map<String, String> query(URI uri) {
        Map<String, String> out = new HashMap<>();
        for (String pair : uri.getRawQuery().split("&")) {
            String[] kv = pair.split("=", 2);
            out.put(kv[0], kv.length < 2 ? "" : URLDecoder.decode(kv[1], StandardCharsets.UTF_8));
        }
        return out;
    }
}
