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

/** Many applications asking for one integration's credentials at once, spread over several servers. */
public final class CredentialReaders {
    private CredentialReaders() {
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
