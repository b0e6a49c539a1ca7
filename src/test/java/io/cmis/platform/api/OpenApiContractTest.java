package io.cmis.platform.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cmis.platform.cli.Json;
import io.cmis.platform.platforms.ConnectorRegistry;
import io.cmis.platform.sandbox.Fault;
import io.cmis.platform.support.CliRun;
import io.cmis.platform.support.OAuthUser;
import io.cmis.platform.support.PlatformTestBed;
import io.cmis.platform.support.WebhookServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The OpenAPI document against the API itself, over real HTTP on a real serve: every route of
 * {@link ApiRoutes} is documented (and nothing is documented that is not served), each documented
 * operation is called so that it gives each of its documented statuses, and every answer is checked
 * against what the document says of that status: the JSON by {@link SchemaCheck} (a field the document
 * does not describe fails, as does a required one missing, a wrong type, a null where none is allowed,
 * a value outside an enum), the documented headers, the content type.
 */
class OpenApiContractTest {
    /**
     * Documented routes that serve does not answer yet (a route of the contract still on another
     * branch): listed here, their live checks wait. Empty now that every route of the contract is
     * served; the test fails while a route listed here is served, so an entry cannot be forgotten.
     */
    private static final Set<String> PENDING = Set.of();
    /** The proxy's documented path; OpenAPI names its multi-segment tail {@code {path}}. */
    private static final String PROXY = "/proxy/{integration_id}/{api}/{path}";
    /** Meta's ad account the simulator throttles, so that the proxy has a limited scope to refuse. */
    private static final String THROTTLED = "act_1000000001";
    /** The application's origin and path, as connect.return-urls allows it. */
    private static final String APP = "https://app.example.com/app";
    /** Documented statuses that no request here provokes, and why. */
    private static final Map<String, String> UNPROVOKED = Map.of(
            "500", "an unexpected failure: nothing provokes one on purpose; ApiRoutes answers any with ApiError's one shape",
            "503", "the database unreachable under a running serve: ApiError's one shape with Retry-After (provoked "
                    + "here only as a transient refresh failure of an integration's credentials)",
            "502", "the proxy's platform_unreachable: a platform that refuses connections (the simulators always answer)",
            "504", "the proxy's platform_timeout: a platform slower than proxy.timeout (ProxyApiTest provokes it)",
            "default", "the proxy's 'any other status of the platform': not a status; its answers are passed through");
    private static final List<String> METHODS = List.of("get", "put", "post", "delete", "patch", "head", "options");

    private static final JsonNode DOCUMENT = read(OpenApiDocument.load().json());
    private final SchemaCheck schemas = new SchemaCheck(DOCUMENT);
    private final String org = UUID.randomUUID().toString();
    private final HttpClient client = HttpClient.newHttpClient();
    private PlatformTestBed bed;
    private WebhookServer server;
    private CliRun cli;
    private String metaId;
    private String xId;
    private String googleId;
    private String page;
    private String instagram;

    @BeforeEach
    void start() throws Exception {
        bed = new PlatformTestBed(Map.of("CMIS_CONNECT_RETURN_URLS", APP,
                // Snapchat's only redirect URI is not serve's callback: no browser flow can start for it.
                "CMIS_SNAPCHAT_REDIRECT_URIS", "https://elsewhere.example/snapchat/back"));
        server = new WebhookServer(bed);
        cli = bed.cli();
        metaId = OAuthUser.connect(cli, org, "meta").get("id").asText();
        xId = OAuthUser.connect(cli, org, "x").get("id").asText();
        String tiktok = OAuthUser.connect(cli, org, "tiktok").get("id").asText();
        googleId = OAuthUser.connect(cli, org, "google").get("id").asText();
        cli.run("sync").ok();
        // A disabled integration among the rows: its credentials answer 409.
        cli.run("integrations", "disable", tiktok).ok();
        JsonNode channels = Json.MAPPER.readTree(cli.run("--json", "channels", "list", "--org", org).ok().stdout());
        for (JsonNode c : channels) {
            if (c.get("type").asText().equals("facebook_page") && page == null) {
                page = c.get("id").asText();
            } else if (c.get("type").asText().equals("instagram_business") && instagram == null) {
                instagram = c.get("id").asText();
            }
        }
        assertThat(page).as("the Meta simulator's sync gives a Facebook Page").isNotNull();
        assertThat(instagram).as("and an Instagram business account (which has no token of its own)").isNotNull();
    }

    @AfterEach
    void stop() {
        server.close();
        bed.close();
    }

    @Test
    void every_route_serve_has_is_documented_with_its_scope_and_every_documented_route_is_served() {
        Map<String, JsonNode> documented = operations();
        Set<String> served = new TreeSet<>();
        for (ApiRoutes.Endpoint endpoint : server.api.endpoints()) {
            String name = endpoint.method() + " " + endpoint.path();
            served.add(name);
            assertThat(documented.keySet()).as("serve answers " + name + "; the OpenAPI document must describe it")
                    .contains(name);
            JsonNode op = documented.get(name);
            if (endpoint.scope().isEmpty()) {
                assertThat(op.path("security").isArray() && op.path("security").isEmpty())
                        .as(name + " is open: its operation must say security: []").isTrue();
            } else {
                assertThat(op.has("security")).as(name + " needs a key: the global bearerAuth applies").isFalse();
                assertThat(op.path("x-cmis-scope").asText()).as(name + ": x-cmis-scope")
                        .isEqualTo(endpoint.scope().get().text());
                assertThat(op.path("description").asText()).as(name + ": the description names the scope")
                        .contains("`" + endpoint.scope().get().text() + "`");
            }
        }
        for (String name : documented.keySet()) {
            if (PENDING.contains(name)) {
                assertThat(served).as(name + " is served now: take it out of PENDING so its live checks run")
                        .doesNotContain(name);
            } else {
                assertThat(served).as("the document describes " + name + ", which serve does not answer")
                        .contains(name);
            }
        }
        assertThat(DOCUMENT.path("openapi").asText()).isEqualTo("3.1.0");
        assertThat(ApiRoutes.BASE).as("info.version is the API's version").endsWith("/" + DOCUMENT.at("/info/version").asText());
        assertThat(DOCUMENT.at("/servers/0/url").asText()).isEqualTo(ApiRoutes.BASE);
        assertThat(DOCUMENT.at("/security/0").fieldNames().next()).isEqualTo("bearerAuth");
        assertThat(DOCUMENT.at("/components/securitySchemes/bearerAuth/scheme").asText()).isEqualTo("bearer");
        List<String> platforms = new ArrayList<>();
        DOCUMENT.at("/components/schemas/Platform/enum").forEach(p -> platforms.add(p.asText()));
        assertThat(platforms).as("the Platform enum is the connectors'").isEqualTo(ConnectorRegistry.knownIds());
        List<String> scopes = new ArrayList<>();
        documented.values().forEach(op -> {
            if (op.has("x-cmis-scope")) {
                scopes.add(op.get("x-cmis-scope").asText());
            }
        });
        assertThat(ApiScope.names()).as("every scope is one some route needs").allMatch(scopes::contains);
    }

    @Test
    void every_documented_status_of_every_operation_is_answered_as_documented() throws Exception {
        String all = key(String.join(",", ApiScope.names()));
        Map<String, JsonNode> documented = operations();
        List<String> checked = new ArrayList<>();
        for (Map.Entry<String, JsonNode> operation : documented.entrySet()) {
            String name = operation.getKey();
            if (PENDING.contains(name)) {
                continue;
            }
            JsonNode op = operation.getValue();
            Set<String> provoked = new TreeSet<>();
            Set<String> parametersUsed = new TreeSet<>();
            for (Probe probe : probes(name, op, all)) {
                Answer answer = send(probe.request().build());
                check(name, op, probe, answer);
                provoked.add(String.valueOf(answer.status()));
                if (answer.status() == 200) {
                    parametersUsed.addAll(queryNames(probe.request().build().uri()));
                }
            }
            Set<String> expected = new TreeSet<>();
            op.path("responses").fieldNames().forEachRemaining(expected::add);
            expected.removeAll(UNPROVOKED.keySet());
            assertThat(provoked).as(name + ": the statuses the requests provoked").containsAll(expected);
            Set<String> queryParameters = new TreeSet<>();
            for (JsonNode p : op.path("parameters")) {
                JsonNode parameter = schemas.resolve(p);
                if (parameter.path("in").asText().equals("query")) {
                    queryParameters.add(parameter.path("name").asText());
                }
            }
            assertThat(parametersUsed).as(name + ": every documented query parameter is taken in an answer of 200")
                    .containsAll(queryParameters);
            checked.add(name);
        }
        assertThat(checked).as("operations checked live").hasSize(documented.size() - PENDING.size());
    }

    @Test
    void the_document_is_served_without_a_key_as_it_is_in_the_jar() throws Exception {
        for (HttpRequest.Builder request : List.of(HttpRequest.newBuilder(uri("/api/v1/openapi.json")),
                HttpRequest.newBuilder(uri("/api/v1/openapi.json")).header("Authorization", "Bearer cmis_nonsense"))) {
            HttpResponse<String> answer = client.send(request.GET().build(), HttpResponse.BodyHandlers.ofString());
            assertThat(answer.statusCode()).isEqualTo(200);
            assertThat(answer.headers().firstValue("Content-Type")).hasValue("application/json");
            assertThat(answer.headers().firstValue("Cache-Control")).hasValue("no-store");
            assertThat(read(answer.body())).isEqualTo(DOCUMENT);
        }
        HttpResponse<String> post = client.send(HttpRequest.newBuilder(uri("/api/v1/openapi.json"))
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(post.statusCode()).as("only GET is open; anything else asks for a key first").isEqualTo(401);
    }

    @Test
    void the_check_fails_on_an_undocumented_field_a_missing_one_a_wrong_type_a_null_and_a_value_outside_an_enum() {
        JsonNode integration = DOCUMENT.at("/components/schemas/Integration");
        JsonNode page = DOCUMENT.at("/components/schemas/IntegrationPage");
        ObjectNode good = (ObjectNode) integration.get("example").deepCopy();
        assertThat(schemas.problems(integration, good)).isEmpty();

        assertThat(schemas.problems(integration, good.deepCopy().put("access_token", "EAAG")))
                .singleElement().asString().contains("$.access_token").contains("does not describe");
        ObjectNode missing = good.deepCopy();
        missing.remove("status_reason");
        assertThat(schemas.problems(integration, missing)).singleElement().asString().contains("'status_reason' is missing");
        assertThat(schemas.problems(integration, good.deepCopy().put("refresh_count", "3")))
                .singleElement().asString().contains("$.refresh_count");
        assertThat(schemas.problems(integration, good.deepCopy().putNull("platform")))
                .as("a null where the type has no null").singleElement().asString().contains("$.platform");
        assertThat(schemas.problems(integration, good.deepCopy().put("status", "sleeping")))
                .as("an enum behind a $ref").singleElement().asString().contains("not one of");
        assertThat(schemas.problems(integration, good.deepCopy().put("id", "not-an-id")))
                .singleElement().asString().contains("not a uuid");
        assertThat(schemas.problems(integration, good.deepCopy().put("created_at", "yesterday")))
                .singleElement().asString().contains("not a date-time");
        assertThat(schemas.problems(integration, good.deepCopy().put("refresh_count", -1)))
                .singleElement().asString().contains("minimum");

        ObjectNode onePage = Json.MAPPER.createObjectNode().putNull("next_cursor");
        onePage.putArray("data").add(good).add(good.deepCopy().put("has_refresh_token", "yes"));
        assertThat(schemas.problems(page, onePage)).as("array items, through $ref")
                .singleElement().asString().startsWith("$.data[1].has_refresh_token");
        assertThat(schemas.problems(page, onePage.deepCopy().put("next_cursor", 7))).hasSize(2);

        JsonNode error = DOCUMENT.at("/components/schemas/Error");
        assertThat(schemas.problems(error, read("{\"error\":{\"code\":\"not_found\",\"message\":\"no such resource\"}}"))).isEmpty();
        assertThat(schemas.problems(error, read("{\"error\":{\"code\":\"gone\",\"message\":\"x\"}}"))).hasSize(1);
        assertThat(schemas.problems(error, read("{\"status\":\"not_found\"}"))).hasSize(2);

        JsonNode credentials = DOCUMENT.at("/components/schemas/Credentials");
        ObjectNode extra = credentials.get("example").deepCopy();
        ((ObjectNode) extra.get("extra")).put("token_secret", 5);
        assertThat(schemas.problems(credentials, extra)).as("additionalProperties as a schema")
                .singleElement().asString().contains("$.extra.token_secret");
        assertThat(schemas.problems(read("{\"oneOf\":[{\"type\":\"string\"}]}"), read("\"x\"")))
                .as("a keyword the check would not apply").singleElement().asString().contains("oneOf");
    }

    @Test
    void every_example_in_the_document_fits_its_schema_by_the_stricter_check() {
        int seen = 0;
        for (Iterator<Map.Entry<String, JsonNode>> it = DOCUMENT.at("/components/schemas").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> schema = it.next();
            if (schema.getValue().has("example")) {
                assertThat(schemas.problems(schema.getValue(), schema.getValue().get("example"))).as(schema.getKey()).isEmpty();
                seen++;
            }
        }
        List<JsonNode> responses = new ArrayList<>();
        operations().values().forEach(op -> op.path("responses").forEach(r -> responses.add(schemas.resolve(r))));
        for (JsonNode response : responses) {
            JsonNode media = response.path("content").path("application/json");
            List<JsonNode> examples = new ArrayList<>();
            if (media.has("example")) {
                examples.add(media.get("example"));
            }
            media.path("examples").forEach(e -> examples.add(e.get("value")));
            for (JsonNode example : examples) {
                assertThat(schemas.problems(media.get("schema"), example)).as(response.path("description").asText()).isEmpty();
                seen++;
            }
        }
        assertThat(seen).isGreaterThan(20);
    }

    /** One request and the status it must get. */
    private record Probe(String why, int status, HttpRequest.Builder request) {
    }

    /** An answer, however it was read. */
    private record Answer(int status, Map<String, List<String>> headers, String body) {
        Optional<String> header(String name) {
            return headers.entrySet().stream().filter(h -> h.getKey().equalsIgnoreCase(name))
                    .flatMap(h -> h.getValue().stream()).findFirst();
        }

        List<String> all(String name) {
            return headers.entrySet().stream().filter(h -> h.getKey().equalsIgnoreCase(name))
                    .flatMap(h -> h.getValue().stream()).toList();
        }
    }

    private List<Probe> probes(String name, JsonNode op, String all) throws Exception {
        List<Probe> probes = new ArrayList<>();
        String path = name.substring(name.indexOf(' ') + 1);
        String method = name.substring(0, name.indexOf(' '));
        String concrete = name.endsWith(PROXY) ? "/proxy/" + metaId + "/graph/me"
                : path.replace("{id}", path.startsWith("/channels") ? page : metaId).replace("{platform}", "meta");
        if (!op.has("security")) {
            String scope = op.get("x-cmis-scope").asText();
            String others = ApiScope.names().stream().filter(s -> !s.equals(scope)).collect(Collectors.joining(","));
            probes.add(new Probe("no key", 401, request(method, concrete, null, null)));
            probes.add(new Probe("a good key in the query string", 401, request(method, concrete + "?api_key=" + all, null, null)));
            probes.add(new Probe("a key without " + scope, 403, request(method, concrete, key(others), null)));
        }
        if (path.contains("{id}")) {
            probes.add(new Probe("an unknown id", 404, request(method, path.replace("{id}", UUID.randomUUID().toString()), all, null)));
            probes.add(new Probe("not an id", 404, request(method, path.replace("{id}", "not-an-id"), all, null)));
        }
        switch (name) {
            case "GET /integrations", "GET /channels", "GET /ad-accounts" -> {
                List<String> ids = new ArrayList<>();
                JsonNode everything = read(client.send(request(method, path + "?limit=500", all, null).build(),
                        HttpResponse.BodyHandlers.ofString()).body());
                everything.get("data").forEach(row -> ids.add(row.get("id").asText()));
                assertThat(ids).as(path + " has rows to check").hasSizeGreaterThan(1);
                probes.add(new Probe("all rows", 200, request(method, path, all, null)));
                probes.add(new Probe("a page of one, with a next_cursor", 200, request(method, path + "?limit=1", all, null)));
                probes.add(new Probe("the next page", 200, request(method, path + "?limit=1&cursor=" + ids.get(0), all, null)));
                String filter = name.equals("GET /integrations") ? "?platform=meta&status=active" : "?platform=meta";
                probes.add(new Probe("filtered", 200, request(method, path + filter, all, null)));
                for (String bad : List.of("?limit=0", "?limit=501", "?limit=x", "?cursor=x", "?platform=myspace")) {
                    probes.add(new Probe(bad, 400, request(method, path + bad, all, null)));
                }
                if (name.equals("GET /integrations")) {
                    probes.add(new Probe("?status=sleeping", 400, request(method, path + "?status=sleeping", all, null)));
                }
            }
            case "GET /integrations/{id}" -> {
                probes.add(new Probe("Meta", 200, request(method, concrete, all, null)));
                probes.add(new Probe("X", 200, request(method, path.replace("{id}", xId), all, null)));
            }
            case "GET /openapi.json" -> probes.add(new Probe("no key", 200, request(method, path, null, null)));
            case "POST /integrations/{id}/credentials" -> {
                probes.add(new Probe("Meta", 200, request(method, concrete, all, "")));
                probes.add(new Probe("X (OAuth 1.0a)", 200, request(method, path.replace("{id}", xId), all, "")));
                String disabled = disabledIntegration(all);
                probes.add(new Probe("a disabled integration", 409, request(method, path.replace("{id}", disabled), all, "")));
                // Google's hour-long token comes due; its refresh fails transiently at every attempt.
                bed.clock.advance(Duration.ofMinutes(55));
                bed.sandbox.google().failNext(3, "/token", Fault.TRANSIENT);
                probes.add(new Probe("a due token whose refresh fails for now", 503,
                        request(method, path.replace("{id}", googleId), all, "")));
                probes.add(new Probe("a body over 64 KiB", 413, tooLarge(method, concrete, all)));
            }
            case "POST /channels/{id}/credentials" -> {
                probes.add(new Probe("a Facebook Page", 200, request(method, concrete, all, "")));
                probes.add(new Probe("an Instagram account", 409, request(method, path.replace("{id}", instagram), all, "")));
                probes.add(new Probe("a body over 64 KiB", 413, tooLarge(method, concrete, all)));
            }
            case "POST /connect/{platform}" -> {
                probes.add(new Probe("no body", 200, request(method, concrete, all, "")));
                probes.add(new Probe("every field", 200, request(method, path.replace("{platform}", "tiktok"), all,
                        "{\"return_to\":\"" + APP + "/done\",\"scopes\":[\"user.info.basic\"],\"kind\":\"advertiser\"}")));
                probes.add(new Probe("an unknown platform", 404, request(method, path.replace("{platform}", "myspace"), all, "{}")));
                probes.add(new Probe("a return_to not allowed", 400, request(method, concrete, all,
                        "{\"return_to\":\"https://evil.example/steal\"}")));
                probes.add(new Probe("scopes not a list", 400, request(method, concrete, all, "{\"scopes\":5}")));
                probes.add(new Probe("a field of another name", 400, request(method, concrete, all, "{\"org_id\":\"x\"}")));
                probes.add(new Probe("no callback on serve", 400, request(method, path.replace("{platform}", "snapchat"), all, "")));
                probes.add(new Probe("a body over 64 KiB", 413, tooLarge(method, concrete, all)));
            }
            case "GET " + PROXY, "HEAD " + PROXY, "OPTIONS " + PROXY, "POST " + PROXY, "PUT " + PROXY, "PATCH " + PROXY,
                 "DELETE " + PROXY -> proxyProbes(probes, method, all);
            default -> throw new AssertionError(name + " is documented and served, but this test has no requests for it: "
                    + "add them here");
        }
        return probes;
    }

    /**
     * The proxy's statuses, live: the platform's answer through the Meta simulator (200), and the
     * tool's refusals — an unknown, malformed or unknown-API integration (404), a path that could leave
     * the base (400), the disabled integration (409), a declared body over proxy.max-body (413), a scope
     * the simulator's throttle had the proxy record (429), a due token whose refresh fails (503).
     */
    private void proxyProbes(List<Probe> probes, String method, String all) throws Exception {
        boolean body = method.equals("POST") || method.equals("PUT") || method.equals("PATCH");
        String meta = "/proxy/" + metaId + "/graph/";
        if (method.equals("PATCH")) {
            probes.add(new Probe("Meta, which documents no method override", 405, request(method, meta + "me", all,
                    "{\"message\":\"hello\"}")));
        } else {
            probes.add(new Probe("Meta's /me", 200, request(method, meta + "me", all, body ? "{\"message\":\"hello\"}" : null)));
            probes.add(new Probe("Meta's echo, with a query", 200, request(method, meta + "112233440001/feed?fields=id,message",
                    all, null)));
        }
        probes.add(new Probe("an unknown integration", 404, request(method, "/proxy/" + UUID.randomUUID() + "/graph/me", all, null)));
        probes.add(new Probe("not an id", 404, request(method, "/proxy/not-an-id/graph/me", all, null)));
        probes.add(new Probe("an API Meta does not declare", 404, request(method, "/proxy/" + metaId + "/youtube/me", all, null)));
        for (String shape : List.of("me@evil.example", "me%40evil.example", "https:/evil.example/me", "me/%252e%252e/x", "me%2f..%2fx")) {
            probes.add(new Probe("the path " + shape, 400, request(method, meta + shape, all, null)));
        }
        if (!body) {
            probes.add(new Probe("a body with " + method, 400, request(method, meta + "me", all, "{}")));
        }
        String disabled = disabledIntegration(all);
        probes.add(new Probe("the disabled integration", 409, request(method, "/proxy/" + disabled + "/business/advertiser/info/",
                all, null)));
        probes.add(new Probe("a body over proxy.max-body", 413, request(method, meta + "me", all, null)
                .header(DECLARED_ONLY, String.valueOf(11 * 1024 * 1024))));
        if (!method.equals("PATCH")) { // Meta takes no PATCH: 405 comes before any limit
            throttled(all);
            probes.add(new Probe("a limited ad account", 429, request(method, meta + THROTTLED + "/campaigns", all, null)));
        }
        // Google's hour-long token is due (the credentials probes moved the clock); its refresh fails.
        bed.clock.advance(Duration.ofMinutes(55));
        if (method.equals("PATCH")) {
            // A Google integration connected now, in an org of its own: its token is not due, so the
            // refresh failures below are not its concern.
            String other = UUID.randomUUID().toString();
            bed.sandbox.google().clearFaults(); // what an earlier operation's probes left unspent
            String google = OAuthUser.connect(cli, other, "google").get("id").asText();
            String otherKey = read(cli.run("--json", "api-keys", "create", "--org", other, "--name", "openapi-test",
                    "--scopes", "proxy").ok().stdout()).get("key").asText();
            probes.add(new Probe("Google's YouTube, as a POST with X-HTTP-Method-Override", 200, request(method, "/proxy/"
                    + google + "/youtube/videos?part=status", otherKey, "{\"id\":\"v1\"}")));
            // Google limits a customer (its 429 RESOURCE_EXHAUSTED through the proxy, recorded): a PATCH about it
            // is the proxy's 429 without a platform call.
            bed.sandbox.google().failNext(1, ".*/customers/1234567890/campaigns", Fault.RATE_LIMIT);
            HttpResponse<String> limited = client.send(request("GET", "/proxy/" + google + "/ads/customers/1234567890/campaigns",
                    otherKey, null).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(limited.headers().firstValue("X-Cmis-Outcome")).as(limited.body()).hasValue("rate_limited");
            probes.add(new Probe("a limited customer", 429, request(method, "/proxy/" + google
                    + "/ads/customers/1234567890/campaigns", otherKey, "{}")));
        }
        bed.sandbox.google().failNext(3, "/token", Fault.TRANSIENT);
        probes.add(new Probe("a due token whose refresh fails for now", 503, request(method, "/proxy/" + googleId + "/ads/customers",
                all, null)));
    }

    /**
     * Meta throttles {@link #THROTTLED} (its business-use-case limit, 80004 naming it): one proxied call
     * that reads it gets the platform's own answer, and the proxy records the limit on that ad account's
     * scope, so the next call about it is the proxy's 429 without a platform call.
     */
    private void throttled(String all) throws Exception {
        // Long enough to outlast every operation's probes, each of which moves the clock 55 minutes.
        bed.sandbox.meta().throttleAdAccount(THROTTLED, Duration.ofHours(24));
        HttpResponse<String> limited = client.send(request("GET", "/proxy/" + metaId + "/graph/me/adaccounts", all, null).build(),
                HttpResponse.BodyHandlers.ofString());
        // The platform's 400 (80004) passed through, or the proxy's 429 when an earlier probe recorded the limit.
        assertThat(limited.statusCode()).as(limited.body()).isIn(400, 429);
        assertThat(limited.headers().firstValue("X-Cmis-Outcome")).hasValue("rate_limited");
    }

    private void check(String name, JsonNode op, Probe probe, Answer answer) {
        String at = name + " (" + probe.why() + ")";
        assertThat(answer.status()).as(at + ": " + answer.body()).isEqualTo(probe.status());
        JsonNode response = op.path("responses").path(String.valueOf(answer.status()));
        assertThat(response.isMissingNode()).as(at + ": the document has no " + answer.status() + " for it").isFalse();
        response = schemas.resolve(response);
        JsonNode content = response.path("content");
        String mediaType = answer.header("Content-Type").orElse("").split(";")[0].trim();
        if (!content.has(mediaType) && content.has("*/*")) {
            mediaType = "*/*"; // the proxy's platform answer: any media type, as it came
        }
        assertThat(content.has(mediaType)).as(at + ": Content-Type " + mediaType + " is documented").isTrue();
        if (name.startsWith("HEAD ")) {
            assertThat(answer.body()).as(at + ": a HEAD has no body").isEmpty();
        } else {
            List<String> problems = schemas.problems(content.get(mediaType).get("schema"), read(answer.body()));
            assertThat(problems).as(at + " answered " + answer.body()).isEmpty();
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = response.path("headers").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> documented = it.next();
            JsonNode header = schemas.resolve(documented.getValue());
            List<String> values = answer.all(documented.getKey());
            if (header.path("required").asBoolean()) {
                assertThat(values).as(at + ": the header " + documented.getKey()).isNotEmpty();
            }
            for (String value : values) {
                JsonNode schema = header.get("schema");
                JsonNode asJson = schemas.resolve(schema).path("type").asText().equals("integer")
                        ? read(value) : Json.MAPPER.getNodeFactory().textNode(value);
                assertThat(schemas.problems(schema, asJson)).as(at + ": the header " + documented.getKey()).isEmpty();
            }
        }
    }

    private String disabledIntegration(String key) throws Exception {
        JsonNode rows = read(client.send(request("GET", "/integrations?status=disabled", key, null).build(),
                HttpResponse.BodyHandlers.ofString()).body()).get("data");
        assertThat(rows).hasSize(1);
        return rows.get(0).get("id").asText();
    }

    /** Every operation of the document as "METHOD /path" (path below the server URL). */
    private static Map<String, JsonNode> operations() {
        Map<String, JsonNode> out = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> paths = DOCUMENT.get("paths").fields(); paths.hasNext(); ) {
            Map.Entry<String, JsonNode> path = paths.next();
            for (String method : METHODS) {
                if (path.getValue().has(method)) {
                    out.put(method.toUpperCase(java.util.Locale.ROOT) + " " + path.getKey(), path.getValue().get(method));
                }
            }
        }
        return out;
    }

    /**
     * A request that declares a body over 64 KiB and sends none: serve answers 413 from the declared
     * length and closes. (Sending the body races that close: the client may see the connection cut
     * before it reads the answer.) {@link #send} writes it by hand.
     */
    private HttpRequest.Builder tooLarge(String method, String path, String key) {
        return request(method, path, key, null).header(DECLARED_ONLY, String.valueOf(70 * 1024));
    }

    private static final String DECLARED_ONLY = "X-Test-Declared-Length-Only";

    private Answer send(HttpRequest request) throws Exception {
        Optional<String> declared = request.headers().firstValue(DECLARED_ONLY);
        if (declared.isEmpty()) {
            HttpResponse<String> answer = client.send(request, HttpResponse.BodyHandlers.ofString());
            return new Answer(answer.statusCode(), answer.headers().map(), answer.body());
        }
        URI uri = request.uri();
        try (Socket socket = new Socket(uri.getHost(), uri.getPort())) {
            socket.setSoTimeout(30_000);
            StringBuilder head = new StringBuilder(request.method() + " " + uri.getRawPath() + " HTTP/1.1\r\n"
                    + "Host: " + uri.getHost() + ":" + uri.getPort() + "\r\nContent-Type: application/json\r\n"
                    + "Content-Length: " + declared.get() + "\r\n");
            request.headers().firstValue("Authorization").ifPresent(a -> head.append("Authorization: ").append(a).append("\r\n"));
            socket.getOutputStream().write(head.append("\r\n").toString().getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().flush();
            String raw = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            String[] parts = raw.split("\r\n\r\n", 2);
            String[] lines = parts[0].split("\r\n");
            Map<String, List<String>> headers = new LinkedHashMap<>();
            for (int i = 1; i < lines.length; i++) {
                String[] h = lines[i].split(":", 2);
                headers.computeIfAbsent(h[0].trim(), k -> new ArrayList<>()).add(h[1].trim());
            }
            return new Answer(Integer.parseInt(lines[0].split(" ")[1]), headers, parts.length > 1 ? parts[1] : "");
        }
    }

    private HttpRequest.Builder request(String method, String path, String key, String body) {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri(ApiRoutes.BASE + path)).timeout(Duration.ofSeconds(60));
        if (key != null) {
            request.header("Authorization", "Bearer " + key);
        }
        if (body != null && !body.isEmpty()) {
            request.header("Content-Type", "application/json");
        }
        return request.method(method, body == null || body.isEmpty()
                ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    }

    private static Set<String> queryNames(URI uri) {
        Set<String> names = new LinkedHashSet<>();
        if (uri.getRawQuery() != null) {
            for (String pair : uri.getRawQuery().split("&")) {
                names.add(pair.split("=", 2)[0]);
            }
        }
        return names;
    }

    private String key(String scopes) throws Exception {
        return read(cli.run("--json", "api-keys", "create", "--org", org, "--name", "openapi-test", "--scopes", scopes)
                .ok().stdout()).get("key").asText();
    }

    private URI uri(String path) {
        return server.uri(path);
    }

    private static JsonNode read(String json) {
        try {
            return Json.MAPPER.readTree(json);
        } catch (java.io.IOException e) {
            throw new AssertionError("not JSON: " + json, e);
        }
    }
}
