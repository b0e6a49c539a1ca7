package io.cmis.platform.http;

import com.google.api.client.http.ByteArrayContent;
import com.google.api.client.http.GenericUrl;
import com.google.api.client.http.HttpContent;
import com.google.api.client.http.HttpHeaders;
import com.google.api.client.http.HttpRequest;
import com.google.api.client.http.HttpRequestFactory;
import com.google.api.client.http.HttpResponse;
import com.google.api.client.http.javanet.NetHttpTransport;
import io.cmis.platform.platforms.PlatformException;
import io.cmis.platform.platforms.RateLimitExceededException;
import io.cmis.platform.platforms.TransientPlatformException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The one path of every platform call: rate-limit state, circuit breaker, timeouts, retries of
 * idempotent reads, classification into typed exceptions, and the API-call log.
 */
public final class GuardedHttpClient implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(GuardedHttpClient.class);
    /** Usage is written at most this often per scope: health needs the trend, not every call. */
    private static final Duration USAGE_WRITE_INTERVAL = Duration.ofSeconds(30);

    static {
        // The JDK keeps 5 idle connections per host by default; parallel syncs and sweeps use more,
        // and every connection beyond 5 would be opened and closed per call.
        if (System.getProperty("http.maxConnections") == null) {
            System.setProperty("http.maxConnections", "64");
        }
    }

    private final HttpRequestFactory factory = new NetHttpTransport().createRequestFactory();
    private final PlatformCircuitBreakers breakers;
    private final RateLimitStore rateLimits;
    private final ApiCallLog callLog;
    private final RetryPolicy retry;
    private final Duration timeout;
    private final Clock clock;
    private final Map<String, Instant> usageWrittenAt = new ConcurrentHashMap<>();

    /** Where calls are recorded: serve adds its metrics there. */
    public ApiCallLog callLog() {
        return callLog;
    }

    public GuardedHttpClient(PlatformCircuitBreakers breakers, RateLimitStore rateLimits, ApiCallLog callLog,
                             RetryPolicy retry, Duration timeout, Clock clock) {
        this.breakers = breakers;
        this.rateLimits = rateLimits;
        this.callLog = callLog;
        this.retry = retry;
        this.timeout = timeout;
        this.clock = clock;
    }

    public PlatformResponse execute(PlatformRequest request, ResponseClassifier classifier) {
        refuseIfRateLimited(request);
        for (int attempt = 1; ; attempt++) {
            breakers.acquire(request.platform(), request.endpoint());
            Instant calledAt = clock.instant();
            long start = System.nanoTime();
            PlatformResponse response = null;
            PlatformException failure;
            try {
                response = send(request);
                failure = classifier.classify(request, response).orElse(null);
            } catch (IOException e) {
                failure = noAnswer(request, e);
            }
            failure = settle(request, response, failure, Duration.ofNanos(System.nanoTime() - start), calledAt,
                    classifier);
            if (failure == null) {
                return response;
            }
            Optional<Duration> delay = failure.transientFailure() && request.idempotent()
                    ? retry.delayAfter(attempt, retryAfter(response)) : Optional.empty();
            if (delay.isEmpty()) {
                failure.inOrg(request.orgId());
                log.debug("{} failed after {} attempt(s): {}", request, attempt, failure.getMessage());
                throw failure;
            }
            pause(delay.get());
        }
    }

    /**
     * A proxied call's answer: the platform's status, headers and body bytes as they came, and the
     * connector's classification of it (empty: success). {@code response} is null when no answer came
     * ({@code failure} then says timeout or network).
     */
    public record Exchange(PlatformResponse response, byte[] body, Optional<PlatformException> failure) {
    }

    /**
     * One attempt of a proxied call on the guarded path, returning the platform's answer instead of
     * throwing on it: a limited scope ({@link RateLimitExceededException}) and an open breaker
     * ({@link io.cmis.platform.platforms.CircuitOpenException}) still throw before any call is made; the
     * answer is classified, recorded in the call log, counted by the breaker and its limits recorded
     * with their scopes, exactly as {@link #execute} does. Never retried here: whether a second attempt
     * is safe is the caller's to judge (a proxied POST may have reached the platform).
     */
    public Exchange exchange(PlatformRequest request, ResponseClassifier classifier, Duration callTimeout) {
        refuseIfRateLimited(request);
        breakers.acquire(request.platform(), request.endpoint());
        Instant calledAt = clock.instant();
        long start = System.nanoTime();
        Raw raw = null;
        PlatformException failure;
        try {
            raw = sendRaw(request, callTimeout);
            failure = classifier.classify(request, raw.response()).orElse(null);
        } catch (IOException e) {
            failure = noAnswer(request, e);
        }
        PlatformResponse response = raw == null ? null : raw.response();
        failure = settle(request, response, failure, Duration.ofNanos(System.nanoTime() - start), calledAt, classifier);
        if (failure != null) {
            failure.inOrg(request.orgId());
        }
        return new Exchange(response, raw == null ? null : raw.body(), Optional.ofNullable(failure));
    }

    private record Raw(PlatformResponse response, byte[] body) {
    }

    private static PlatformException noAnswer(PlatformRequest request, IOException e) {
        return new TransientPlatformException(request.platform(), request.endpoint(),
                e instanceof SocketTimeoutException || e instanceof InterruptedIOException ? "timeout" : "network",
                "no answer: " + e.getClass().getSimpleName());
    }

    /**
     * What every attempt leaves behind, the tool's own and the proxy's alike: the call log, the
     * breaker's count, the usage headers of a success, and a limit's scopes recorded for every host.
     * Returns the failure (null: success), a rate limit carrying the limits as recorded.
     */
    private PlatformException settle(PlatformRequest request, PlatformResponse response, PlatformException failure,
                                     Duration took, Instant calledAt, ResponseClassifier classifier) {
        record(request, response, failure, took, calledAt);
        if (failure == null) {
            breakers.success(request.platform(), took);
            observeUsage(request, response, classifier);
            return null;
        }
        if (failure.transientFailure()) {
            breakers.failure(request.platform(), took, failure);
        } else {
            breakers.success(request.platform(), took); // the platform answered; the request was the problem
        }
        if (failure instanceof RateLimitExceededException limited) {
            Instant now = clock.instant();
            List<RateLimitExceededException.Limit> recorded = new ArrayList<>();
            for (RateLimitExceededException.Limit limit : limited.limits()) {
                Instant until = rateLimits.limit(request.platform(), limit, limited.errorCode(), now);
                recorded.add(RateLimitExceededException.Limit.fixed(limit.scope(), Duration.between(now, until)));
            }
            return limited.withLimits(recorded);
        }
        return failure;
    }

    private Raw sendRaw(PlatformRequest request, Duration callTimeout) throws IOException {
        byte[] bytes = request.bodyBytes();
        HttpContent content = bytes == null ? null : new ByteArrayContent(request.contentType(), bytes);
        HttpRequest http = factory.buildRequest(request.sentMethod(), verbatim(request.url()), content);
        int millis = (int) Math.min(Integer.MAX_VALUE, callTimeout.toMillis());
        http.setConnectTimeout(millis).setReadTimeout(millis).setNumberOfRetries(0)
                .setThrowExceptionOnExecuteError(false).setFollowRedirects(false)
                .setLoggingEnabled(false).setCurlLoggingEnabled(false);
        HttpHeaders headers = new HttpHeaders().setUserAgent("cmis-platform").setAccept("*/*");
        request.headers().forEach(headers::set);
        http.setHeaders(headers);
        HttpResponse response = http.execute();
        byte[] body;
        // Read to the end and closed: the connection goes back to the keep-alive pool.
        try (java.io.InputStream in = response.getContent()) {
            body = in == null ? new byte[0] : in.readAllBytes();
        }
        return new Raw(new PlatformResponse(response.getStatusCode(), headers(response.getHeaders()),
                new String(body, StandardCharsets.UTF_8)), body);
    }

    /**
     * {@code url} exactly as given, its query included. GenericUrl parses a query into a map and
     * builds it again ({@code k=} goes out as {@code k}, a repeated name is moved beside its first);
     * its path parts, verbatim, are joined back unchanged, so the query rides after the raw path.
     * A signer signed {@code url}: what it signed is what is sent.
     */
    static GenericUrl verbatim(String url) {
        int q = url.indexOf('?');
        GenericUrl generic = new GenericUrl(q < 0 ? url : url.substring(0, q), true);
        if (q >= 0) {
            generic.setRawPath(generic.getRawPath() + "?" + url.substring(q + 1));
        }
        return generic;
    }

    private void refuseIfRateLimited(PlatformRequest request) {
        Instant now = clock.instant();
        // One read for all of the call's scopes (those not cached): one round trip, however many scopes.
        Map<String, Optional<Instant>> state = rateLimits.limitedUntil(request.platform(), request.rateLimitScopes());
        for (String scope : request.rateLimitScopes()) {
            Optional<Instant> until = state.getOrDefault(scope, Optional.empty()).filter(now::isBefore);
            if (until.isPresent()) {
                throw (RateLimitExceededException) new RateLimitExceededException(request.platform(), request.endpoint(),
                        "limited", scope, Duration.between(now, until.get()),
                        "rate limited (" + scope + ") until " + until.get() + "; no call made").inOrg(request.orgId());
            }
        }
    }

    private PlatformResponse send(PlatformRequest request) throws IOException {
        HttpContent content = request.body() == null ? null
                : new ByteArrayContent(request.contentType(), request.body().getBytes(StandardCharsets.UTF_8));
        // A signed URL goes out verbatim: re-encoding it would change what the signature covers.
        HttpRequest http = factory.buildRequest(request.sentMethod(), new GenericUrl(request.url(), request.signed()),
                content);
        int millis = (int) Math.min(Integer.MAX_VALUE, timeout.toMillis());
        http.setConnectTimeout(millis).setReadTimeout(millis).setNumberOfRetries(0)
                .setThrowExceptionOnExecuteError(false).setFollowRedirects(false)
                .setLoggingEnabled(false).setCurlLoggingEnabled(false);
        HttpHeaders headers = new HttpHeaders().setUserAgent("cmis-platform").setAccept("application/json");
        request.headers().forEach(headers::set);
        http.setHeaders(headers);
        HttpResponse response = http.execute();
        // Reading the body to the end returns the connection to the JDK's keep-alive pool;
        // disconnect() would close it and cost a new TCP connection per call.
        return new PlatformResponse(response.getStatusCode(), headers(response.getHeaders()), response.parseAsString());
    }

    private static Map<String, List<String>> headers(HttpHeaders headers) {
        Map<String, List<String>> out = new LinkedHashMap<>();
        headers.forEach((name, value) -> {
            List<String> values = new ArrayList<>();
            if (value instanceof List<?> list) {
                list.forEach(v -> values.add(String.valueOf(v)));
            } else if (value != null) {
                values.add(String.valueOf(value));
            }
            out.put(name.toLowerCase(Locale.ROOT), values);
        });
        return out;
    }

    private void record(PlatformRequest request, PlatformResponse response, PlatformException failure,
                        Duration took, Instant calledAt) {
        callLog.record(new ApiCallLog.ApiCall(request.orgId(), request.integrationId(), request.platform(),
                request.method(), request.endpoint(), response == null ? null : response.status(),
                failure == null ? "success" : failure.outcome(),
                failure == null ? null : failure.errorCode(), took.toMillis(), calledAt));
    }

    private void observeUsage(PlatformRequest request, PlatformResponse response, ResponseClassifier classifier) {
        classifier.usage(request, response).forEach(usage -> {
            Instant now = clock.instant();
            String key = request.platform() + "|" + usage.scope();
            Instant last = usageWrittenAt.get(key);
            if (last == null || !now.isBefore(last.plus(USAGE_WRITE_INTERVAL)) || usage.percent() >= 80) {
                usageWrittenAt.put(key, now);
                rateLimits.usage(request.platform(), usage.scope(), usage.percent(), usage.detail(), now);
            }
        });
    }

    private static Optional<Duration> retryAfter(PlatformResponse response) {
        if (response == null) {
            return Optional.empty();
        }
        return response.header("retry-after").flatMap(value -> {
            try {
                return Optional.of(Duration.ofSeconds(Long.parseLong(value.trim())));
            } catch (NumberFormatException e) {
                return Optional.empty();
            }
        });
    }

    private void pause(Duration delay) {
        try {
            retry.sleeper().sleep(delay);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TransientPlatformException("-", "-", "interrupted", "interrupted while waiting to retry");
        }
    }

    @Override
    public void close() {
        callLog.flush();
    }
}
