package io.cmis.platform.support;

import com.fasterxml.jackson.databind.JsonNode;
import io.cmis.platform.cli.Json;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/** Many applications asking for one integration's credentials at once, spread over several servers. */
public final class CredentialReaders {
    private CredentialReaders() {
    }

    /**
     * The scenario on {@code bed}: a {@code platform} grant (of {@code kind}) whose token is due after
     * {@code advance}, twenty readers over two servers on the bed's database, a slow token endpoint so
     * that all of them arrive while the first refresh is in flight. Asserts one refresh at the platform,
     * one token for all (the one stored), one refreshed read recorded and counted in /metrics.
     */
    public static void oneRefreshForTwenty(PlatformTestBed bed, String platform, String kind, String refreshPath,
                                           Duration advance) throws Exception {
        String org = java.util.UUID.randomUUID().toString();
        CliRun cli = bed.cli();
        String[] extra = kind.isEmpty() ? new String[0] : new String[]{"--kind", kind};
        String integration = OAuthUser.connect(cli, org, platform, extra).get("id").asText();
        String key = Json.MAPPER.readTree(cli.run("--json", "api-keys", "create", "--org", org, "--name", "app",
                "--scopes", "credentials:read").ok().stdout()).get("key").asText();
        bed.clock.advance(advance);
        io.cmis.platform.sandbox.Simulator simulator = platform.equals("google") ? bed.sandbox.google()
                : bed.sandbox.tiktok();
        int before = simulator.requests(refreshPath);
        simulator.latency(Duration.ofMillis(400));
        try (WebhookServer a = new WebhookServer(bed); WebhookServer b = new WebhookServer(bed)) {
            List<JsonNode> answers = race(List.of(a.uri("/"), b.uri("/")), integration, key, 20);

            assertThat(simulator.requests(refreshPath) - before).as("refreshes at the platform").isEqualTo(1);
            assertThat(answers.stream().map(n -> n.get("access_token").asText()).collect(Collectors.toSet()))
                    .as("one token for all").hasSize(1);
            assertThat(answers.stream().filter(n -> n.get("refreshed").asBoolean()).count()).isEqualTo(1);
            simulator.latency(Duration.ZERO);
            String stored = Json.MAPPER.readTree(cli.run("tokens", "get", integration).ok().stdout())
                    .get("access_token").asText();
            assertThat(answers.get(0).get("access_token").asText()).as("the new token, the one stored")
                    .isEqualTo(stored);
            assertThat(simulator.requests(refreshPath) - before).isEqualTo(1);
            assertThat(refreshesOnRead(a) + refreshesOnRead(b)).as("refreshes on read counted by the two servers")
                    .isEqualTo(1.0);
        } finally {
            simulator.latency(Duration.ZERO);
        }
        String served = bed.jdbi.withHandle(h -> h.createQuery("SELECT count(*) FILTER (WHERE refreshed) || '/' "
                + "|| count(*) FROM cmis_platform.credential_reads WHERE outcome = 'served'").mapTo(String.class).one());
        assertThat(served).isEqualTo("1/21");
        String status = bed.jdbi.withHandle(h -> h.createQuery("SELECT status FROM cmis_platform.integrations")
                .mapTo(String.class).one());
        assertThat(status).isEqualTo("active");
    }

    private static double refreshesOnRead(WebhookServer server) throws Exception {
        return server.get("/metrics").body().lines().filter(l -> l.startsWith("cmis_credential_refreshes_on_read_total "))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.indexOf(' ') + 1))).sum();
    }

    /** {@code readers} POSTs released together, round-robin over {@code servers}; the answers' bodies (all 200). */
    public static List<JsonNode> race(List<URI> servers, String integration, String key, int readers) throws Exception {
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        ExecutorService pool = Executors.newFixedThreadPool(readers);
        try {
            CountDownLatch go = new CountDownLatch(1);
            List<Future<HttpResponse<String>>> answers = new ArrayList<>();
            for (int i = 0; i < readers; i++) {
                URI base = servers.get(i % servers.size());
                answers.add(pool.submit(() -> {
                    go.await();
                    return client.send(HttpRequest.newBuilder(base.resolve("/api/v1/integrations/" + integration
                                    + "/credentials")).header("Authorization", "Bearer " + key)
                            .timeout(Duration.ofSeconds(60)).POST(HttpRequest.BodyPublishers.noBody()).build(),
                            HttpResponse.BodyHandlers.ofString());
                }));
            }
            go.countDown();
            List<JsonNode> out = new ArrayList<>();
            for (Future<HttpResponse<String>> answer : answers) {
                HttpResponse<String> r = answer.get();
                if (r.statusCode() != 200) {
                    throw new AssertionError("a reader got " + r.statusCode() + ": " + r.body());
                }
                out.add(Json.MAPPER.readTree(r.body()));
            }
            return out;
        } finally {
            pool.shutdownNow();
        }
    }
}
