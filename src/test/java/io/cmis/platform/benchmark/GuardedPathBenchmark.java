package io.cmis.platform.benchmark;

import com.google.api.client.http.GenericUrl;
import com.google.api.client.http.HttpRequestFactory;
import com.google.api.client.http.HttpResponse;
import com.google.api.client.http.javanet.NetHttpTransport;
import io.cmis.platform.crypto.Secret;
import io.cmis.platform.http.PlatformRequest;
import io.cmis.platform.http.PlatformResponse;
import io.cmis.platform.platforms.PlatformConnector;
import io.cmis.platform.support.PlatformTestBed;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What the guarded path costs per call over a bare google-http-client call to the same loopback
 * endpoint: rate-limit check, breaker, classification, call-log batching.
 * Run: {@code mvn -B test -Dtest=GuardedPathBenchmark -Dbenchmark=true -Djacoco.skip=true -Dsurefire.failIfNoSpecifiedTests=false}
 */
@EnabledIfSystemProperty(named = "benchmark", matches = "true")
class GuardedPathBenchmark {
    private static final int WARMUP = 1_000;
    private static final int CALLS = 3_000;

    @Test
    void guarded_call_overhead() throws Exception {
        try (PlatformTestBed bed = new PlatformTestBed()) {
            String token = bed.sandbox.meta().issueLongLivedToken();
            String url = bed.sandbox.meta().baseUrl() + "/v25.0/me?fields=id,name";
            HttpRequestFactory raw = new NetHttpTransport().createRequestFactory();
            PlatformConnector meta = bed.registry().get("meta");
            PlatformRequest request = PlatformRequest.get("meta", bed.sandbox.meta().baseUrl(), "/{version}/me")
                    .path("version", "v25.0").query("fields", "id,name").bearer(Secret.of(token)).build();

            for (int i = 0; i < WARMUP; i++) {
                bare(raw, url, token);
                bed.http().execute(request, meta.classifier());
            }
            double bare = 0;
            double guarded = 0;
            for (int round = 0; round < 3; round++) {
                long t0 = System.nanoTime();
                for (int i = 0; i < CALLS; i++) {
                    bare(raw, url, token);
                }
                long t1 = System.nanoTime();
                for (int i = 0; i < CALLS; i++) {
                    PlatformResponse r = bed.http().execute(request, meta.classifier());
                    assertThat(r.status()).isEqualTo(200);
                }
                long t2 = System.nanoTime();
                bare += (t1 - t0) / 1000.0 / CALLS;
                guarded += (t2 - t1) / 1000.0 / CALLS;
            }
            bare /= 3;
            guarded /= 3;
            System.out.printf("bare google-http-client call: %.1f us%nguarded call: %.1f us%noverhead: %.1f us per call%n",
                    bare, guarded, guarded - bare);
        }
    }

    private static void bare(HttpRequestFactory factory, String url, String token) throws Exception {
        var request = factory.buildGetRequest(new GenericUrl(url));
        request.getHeaders().setAuthorization("Bearer " + token);
        request.setReadTimeout(5_000);
        HttpResponse response = request.execute();
        response.parseAsString();
    }
}
