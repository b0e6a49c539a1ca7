package io.cmis.platform.support;

import com.fasterxml.jackson.databind.JsonNode;
import io.cmis.platform.cli.Json;

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

/** Plays the user of a connect flow: runs connect start, opens the URL, takes the code from the redirect. */
public final class OAuthUser {
    /** What came back to the redirect URI. */
    public record Flow(String state, String code) {
    }

    private OAuthUser() {
    }

    public static Flow begin(CliRun cli, String org, String platform, String... extra) throws Exception {
        List<String> args = new ArrayList<>(List.of("--json", "connect", "start", platform, "--org", org));
        args.addAll(List.of(extra));
        JsonNode start = Json.MAPPER.readTree(cli.run(args.toArray(String[]::new)).ok().stdout());
        HttpResponse<String> redirect = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build()
                .send(HttpRequest.newBuilder(URI.create(start.get("authorization_url").asText())).build(),
                        HttpResponse.BodyHandlers.ofString());
        if (redirect.statusCode() != 302) {
            throw new AssertionError("the authorization URL did not redirect: " + redirect.statusCode());
        }
        Map<String, String> back = query(URI.create(redirect.headers().firstValue("location").orElseThrow()));
        // OAuth 1.0a (X) comes back with oauth_token (the state) and oauth_verifier (the code).
        String state = back.getOrDefault("state", back.get("oauth_token"));
        if (!start.get("state").asText().equals(state)) {
            throw new AssertionError("the redirect carried another state");
        }
        String code = back.getOrDefault("code", back.getOrDefault("auth_code", back.get("oauth_verifier")));
        return new Flow(state, code);
    }

    /** The whole flow; returns the integration JSON. */
    public static JsonNode connect(CliRun cli, String org, String platform, String... extra) throws Exception {
        Flow flow = begin(cli, org, platform, extra);
        return Json.MAPPER.readTree(cli.run("--json", "connect", "complete", "--state", flow.state(), "--code",
                flow.code()).ok().stdout());
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
