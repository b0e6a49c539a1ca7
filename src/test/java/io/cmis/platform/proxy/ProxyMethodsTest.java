package io.cmis.platform.proxy;

import com.fasterxml.jackson.databind.JsonNode;
import io.cmis.platform.cli.Json;
import io.cmis.platform.sandbox.Fault;
import io.cmis.platform.support.CliRun;
import io.cmis.platform.support.OAuthUser;
import io.cmis.platform.support.PlatformTestBed;
import io.cmis.platform.support.TestPostgres;
import io.cmis.platform.support.WebhookServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The proxy's methods (HEAD and OPTIONS passed on, PATCH as a documented method override or 405), the
 * query byte for byte, and the API's one error shape for a path Jetty refuses before any route.
 */
class ProxyMethodsTest {
    private final String org = UUID.randomUUID().toString();
    private final HttpClient client = HttpClient.newHttpClient();
    private PlatformTestBed bed;
    private WebhookServer server;
    private CliRun cli;
    private String key;

    @BeforeEach
    void start() throws Exception {
        bed = new PlatformTestBed(Map.of());
        server = new WebhookServer(bed);
        cli = bed.cli();
        key = Json.MAPPER.readTree(cli.run("--json", "api-keys", "create", "--org", org, "--name", "test",
                "--scopes", "proxy").ok().stdout()).get("key").asText();
    }

    @AfterEach
    void stop() {
        server.close();
        bed.close();
    }

    @Test
    void head_and_options_are_passed_on_head_without_a_body_and_both_logged_with_their_method() throws Exception {
        String meta = OAuthUser.connect(cli, org, "meta").get("id").asText();
        int before = bed.sandbox.meta().requests();
        HttpResponse<byte[]> head = proxy("HEAD", meta, "graph", "sandbox-probe/42/items?fields=id", null, Map.of());
        assertThat(head.statusCode()).as(text(head)).isEqualTo(200);
        assertThat(head.body()).isEmpty();
        assertThat(head.headers().firstValue("X-Cmis-Outcome")).hasValue("ok");
        assertThat(head.headers().firstValue("X-Request-Id")).as("the platform's headers, as for a GET")
                .hasValue("sandbox-request-1");

        HttpResponse<byte[]> options = proxy("OPTIONS", meta, "graph", "sandbox-probe/42/items", null, Map.of());
        assertThat(options.statusCode()).as(text(options)).isEqualTo(200);
        assertThat(Json.MAPPER.readTree(options.body()).get("method").asText()).isEqualTo("OPTIONS");
        assertThat(bed.sandbox.meta().requests()).as("one platform call each").isEqualTo(before + 2);
        assertThat(loggedMethods("proxy:graph /sandbox-probe/{id}/items")).containsExactly("HEAD", "OPTIONS");
    }

    @Test
    void a_patch_to_google_goes_as_a_post_with_the_method_override_its_body_intact_and_is_logged_as_patch()
            throws Exception {
        String google = OAuthUser.connect(cli, org, "google").get("id").asText();
        byte[] json = "{\"campaign\":{\"status\":\"PAUSED\"}}".getBytes(StandardCharsets.UTF_8);
        int before = bed.sandbox.google().requests();
        HttpResponse<byte[]> patched = proxy("PATCH", google, "youtube", "videos?part=status", json,
                Map.of("Content-Type", "application/json"));
        assertThat(patched.statusCode()).as(text(patched)).isEqualTo(200);
        JsonNode echo = Json.MAPPER.readTree(patched.body());
        assertThat(echo.get("method").asText()).as("the transport has no PATCH").isEqualTo("POST");
        assertThat(echo.get("method_override").asText()).isEqualTo("PATCH");
        assertThat(echo.get("body_sha256").asText()).isEqualTo(sha256(json));
        assertThat(echo.get("query").asText()).isEqualTo("part=status");
        assertThat(loggedMethods("proxy:youtube /videos")).as("the method the application asked for")
                .containsExactly("PATCH");

        // Not idempotent: a transient answer is the application's to repeat, never the proxy's.
        bed.sandbox.google().failNext(3, ".*/youtube/v3/videos", Fault.TRANSIENT);
        int beforeFailure = bed.sandbox.google().requests();
        HttpResponse<byte[]> failed = proxy("PATCH", google, "youtube", "videos?part=status", json,
                Map.of("Content-Type", "application/json"));
        assertThat(failed.statusCode()).isGreaterThanOrEqualTo(500);
        assertThat(failed.headers().firstValue("X-Cmis-Outcome")).hasValue("transient");
        assertThat(bed.sandbox.google().requests()).as("one attempt").isEqualTo(beforeFailure + 1);
        assertThat(bed.sandbox.google().requests() - before).isEqualTo(2);
    }

    @Test
    void a_patch_to_an_api_without_a_method_override_is_405_with_allow_and_no_platform_call() throws Exception {
        for (String[] target : List.of(new String[]{"meta", "graph", "act_1000000001/campaigns"},
                new String[]{"x", "ads", "accounts/18ce54d4x5t/campaigns/8wku2"})) {
            String id = OAuthUser.connect(cli, org, target[0]).get("id").asText();
            int before = platformCalls();
            HttpResponse<byte[]> refused = proxy("PATCH", id, target[1], target[2], "{}".getBytes(StandardCharsets.UTF_8),
                    Map.of("Content-Type", "application/json"));
            assertThat(refused.statusCode()).as(text(refused)).isEqualTo(405);
            assertThat(refused.headers().firstValue("Allow")).hasValue("DELETE, GET, HEAD, OPTIONS, POST, PUT");
            assertThat(refused.headers().firstValue("Cache-Control")).hasValue("no-store");
            JsonNode error = Json.MAPPER.readTree(refused.body()).get("error");
            assertThat(error.get("code").asText()).isEqualTo("method_not_allowed");
            assertThat(error.get("message").asText()).contains("PATCH").contains("DELETE, GET, HEAD, OPTIONS, POST, PUT")
                    .doesNotContain("\n");
            assertThat(platformCalls()).as(target[0] + ": no platform call").isEqualTo(before);
        }
        // The caller cannot smuggle an override in itself: the header is not on the allow-list.
        String google = OAuthUser.connect(cli, org, "google").get("id").asText();
        HttpResponse<byte[]> smuggled = proxy("POST", google, "youtube", "videos", "{}".getBytes(StandardCharsets.UTF_8),
                Map.of("Content-Type", "application/json", "X-HTTP-Method-Override", "DELETE"));
        assertThat(Json.MAPPER.readTree(smuggled.body()).get("method_override").asText()).isEmpty();
    }

    @Test
    void the_query_goes_out_byte_for_byte_empty_values_repeated_names_and_all_and_x_signs_exactly_that() throws Exception {
        String google = OAuthUser.connect(cli, org, "google").get("id").asText();
        String x = OAuthUser.connect(cli, org, "x").get("id").asText();
        String query = "a=&b=%2F&c&a=2&d=x%20y&e=%7e&f=A+B";
        HttpResponse<byte[]> youtube = proxy("GET", google, "youtube", "sandbox-probe?" + query, null, Map.of());
        assertThat(youtube.statusCode()).as(text(youtube)).isEqualTo(200);
        assertThat(Json.MAPPER.readTree(youtube.body()).get("query").asText()).isEqualTo(query);

        // X takes RFC 3986 encoding only (no '+', upper-case hex), as its simulator checks.
        String strict = "a=&b=%2F&c&a=2&d=x%20y&e=~";
        HttpResponse<byte[]> signed = proxy("GET", x, "ads", "accounts/18ce54d4x5t/campaigns?" + strict, null, Map.of());
        assertThat(signed.statusCode()).as("the simulator verified the signature over the query sent: " + text(signed))
                .isEqualTo(200);
        assertThat(Json.MAPPER.readTree(signed.body()).get("query").asText()).isEqualTo(strict);
    }

    @Test
    void an_encoded_control_character_jetty_refuses_still_gets_the_apis_json_error_under_api_v1() throws Exception {
        String meta = OAuthUser.connect(cli, org, "meta").get("id").asText();
        int before = bed.sandbox.meta().requests();
        for (String target : List.of("/api/v1/proxy/" + meta + "/graph/me%00", "/api/v1/proxy/" + meta + "/graph/me%00/x",
                "/api/v1/proxy/" + meta + "/graph/me%01", "/api/v1/proxy/" + meta + "/graph/me%7f",
                "/api/v1/proxy/" + meta + "/graph/me%0a", "/api/v1/integrations/%00", "/api/v1/integrations%00")) {
            Raw answer = raw("GET", target);
            assertThat(answer.status()).as(target + ": " + answer.head()).isEqualTo(400);
            assertThat(answer.header("content-type")).as(target + answer.head() + answer.body()).startsWith("application/json");
            assertThat(answer.header("cache-control")).as(target).isEqualTo("no-store");
            JsonNode error = Json.MAPPER.readTree(answer.body()).get("error");
            assertThat(error.get("code").asText()).as(target).isIn("invalid_request", "path_not_allowed");
            assertThat(error.get("message").asText()).as(target).isNotBlank().doesNotContain("%00");
        }
        assertThat(bed.sandbox.meta().requests()).isEqualTo(before);
    }

    @Test
    void integrations_call_writes_a_binary_body_unchanged_keeps_it_off_a_terminal_and_saves_it_with_output()
            throws Exception {
        String google = OAuthUser.connect(cli, org, "google").get("id").asText();
        byte[] image = io.cmis.platform.sandbox.Simulator.binary();
        CliRun.Result piped = cli.run("integrations", "call", google, "GET", io.cmis.platform.sandbox.Simulator.BINARY_PATH,
                "--api", "youtube");
        assertThat(piped.exitCode()).as(piped.stderr()).isZero();
        assertThat(piped.stdoutBytes()).as("the platform's bytes, unchanged").isEqualTo(image);
        assertThat(piped.stderr().strip()).isEqualTo("HTTP 200 ok");

        CliRun.Result terminal = bed.cli().terminal().run("integrations", "call", google, "GET",
                io.cmis.platform.sandbox.Simulator.BINARY_PATH, "--api", "youtube");
        assertThat(terminal.exitCode()).isZero();
        assertThat(terminal.stdoutBytes()).as("nothing dumped on a terminal").isEmpty();
        assertThat(terminal.stderr()).contains("HTTP 200 ok").contains("image/png").contains("4096 bytes")
                .contains("--output FILE");

        java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("proxy-output");
        java.nio.file.Path file = dir.resolve("image.png");
        CliRun.Result saved = bed.cli().terminal().run("integrations", "call", google, "GET",
                io.cmis.platform.sandbox.Simulator.BINARY_PATH, "--api", "youtube", "--output", file.toString());
        assertThat(saved.exitCode()).as(saved.stderr()).isZero();
        assertThat(java.nio.file.Files.readAllBytes(file)).isEqualTo(image);
        assertThat(java.nio.file.attribute.PosixFilePermissions.toString(java.nio.file.Files.getPosixFilePermissions(file)))
                .isEqualTo("rw-------");
        assertThat(saved.stdoutBytes()).isEmpty();
        assertThat(saved.stderr()).contains("HTTP 200 ok").contains("4096 bytes (image/png) written to " + file);

        // A text answer is still printed as text; --output also takes it, and a failed call still exits 1.
        bed.sandbox.google().failNext(1, ".*/youtube/v3/videos", Fault.PERMANENT);
        CliRun.Result failed = cli.run("integrations", "call", google, "GET", "videos", "--api", "youtube",
                "--output", file.toString());
        assertThat(failed.exitCode()).isEqualTo(1);
        assertThat(Json.MAPPER.readTree(java.nio.file.Files.readAllBytes(file)).has("error")).isTrue();
        assertThat(cli.run("integrations", "call", google, "GET", "videos", "--api", "youtube", "--output",
                dir.resolve("missing/x.png").toString()).exitCode()).as("usage").isEqualTo(2);
    }

    // --- helpers ----------------------------------------------------------------------------------

    private int platformCalls() {
        return bed.sandbox.meta().requests() + bed.sandbox.x().requests() + bed.sandbox.google().requests();
    }

    private List<String> loggedMethods(String endpoint) {
        bed.flushCallLog();
        return TestPostgres.superuser(bed.database).withHandle(h -> h.createQuery(
                        "SELECT method FROM cmis_platform.platform_api_calls WHERE endpoint = :e ORDER BY called_at, method")
                .bind("e", endpoint).mapTo(String.class).list());
    }

    private HttpResponse<byte[]> proxy(String method, String integration, String api, String rest, byte[] body,
                                       Map<String, String> headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(server.uri("/api/v1/proxy/" + integration + "/" + api + "/"
                        + rest)).header("Authorization", "Bearer " + key)
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
        headers.forEach(request::header);
        return client.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    private record Raw(int status, String head, String body) {
        String header(String name) {
            return head.lines().filter(l -> l.regionMatches(true, 0, name + ":", 0, name.length() + 1))
                    .map(l -> l.substring(name.length() + 1).strip()).findFirst().orElse("");
        }
    }

    /** A request written by hand: java.net.http refuses some of these targets. */
    private Raw raw(String method, String target) throws Exception {
        try (Socket socket = new Socket("127.0.0.1", server.server.port())) {
            OutputStream out = socket.getOutputStream();
            out.write((method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + key
                    + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            InputStream in = socket.getInputStream();
            String answer = new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
            int bodyAt = answer.indexOf("\r\n\r\n");
            String head = bodyAt < 0 ? answer : answer.substring(0, bodyAt);
            String body = bodyAt < 0 ? "" : answer.substring(bodyAt + 4);
            if (header(head, "transfer-encoding").equalsIgnoreCase("chunked")) {
                body = unchunk(body);
            }
            return new Raw(Integer.parseInt(answer.substring(9, 12)), head, body);
        }
    }

    private static String header(String head, String name) {
        return new Raw(0, head, "").header(name);
    }

    private static String unchunk(String chunked) {
        StringBuilder out = new StringBuilder();
        int at = 0;
        while (at < chunked.length()) {
            int eol = chunked.indexOf("\r\n", at);
            int size = Integer.parseInt(chunked.substring(at, eol).split(";")[0].strip(), 16);
            if (size == 0) {
                break;
            }
            out.append(chunked, eol + 2, eol + 2 + size);
            at = eol + 2 + size + 2;
        }
        return out.toString();
    }

    private static String text(HttpResponse<byte[]> response) {
        return new String(response.body(), StandardCharsets.UTF_8);
    }

    private static String sha256(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }
}
