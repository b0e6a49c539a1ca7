package io.cmis.platform.sandbox;

import com.fasterxml.jackson.databind.JsonNode;
import io.cmis.platform.platforms.Signatures;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.UUID;

/**
 * LinkedIn's side of a webhook endpoint: the validation GET with a UUID {@code challengeCode},
 * answered within 3 s with JSON holding its HMAC; again every 2 hours (on the injected clock); and
 * after 3 failures in a row the endpoint is blocked, and nothing more is sent until someone restarts
 * the validation by hand.
 */
public final class LinkedInWebhookValidator {
    public static final Duration DEADLINE = Duration.ofSeconds(3);
    public static final Duration INTERVAL = Duration.ofHours(2);
    public static final int FAILURES_TO_BLOCK = 3;

    private final String secret;
    private final Clock clock;
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(DEADLINE).build();
    private URI endpoint;
    private Instant lastValidated;
    private int failuresInARow;
    private int validations;
    private boolean blocked;

    LinkedInWebhookValidator(String secret, Clock clock) {
        this.secret = secret;
        this.clock = clock;
    }

    /** Registers the endpoint, as an admin does in the portal: it is validated at once. */
    public synchronized boolean register(URI endpoint) {
        this.endpoint = endpoint;
        this.blocked = false;
        this.failuresInARow = 0;
        return validate();
    }

    /** Validates again when two hours have passed since the last time (call it after moving the clock). */
    public synchronized boolean revalidateIfDue() {
        if (endpoint == null || blocked || clock.instant().isBefore(lastValidated.plus(INTERVAL))) {
            return !blocked;
        }
        return validate();
    }

    public synchronized boolean blocked() {
        return blocked;
    }

    public synchronized int validations() {
        return validations;
    }

    public synchronized int failuresInARow() {
        return failuresInARow;
    }

    private boolean validate() {
        validations++;
        lastValidated = clock.instant();
        boolean ok = passes(UUID.randomUUID().toString());
        failuresInARow = ok ? 0 : failuresInARow + 1;
        if (failuresInARow >= FAILURES_TO_BLOCK) {
            blocked = true;
        }
        return ok;
    }

    /** 200, JSON, within the deadline, the same challenge back and its HMAC under the client secret. */
    private boolean passes(String challenge) {
        URI uri = URI.create(endpoint + (endpoint.getRawQuery() == null ? "?" : "&") + "challengeCode="
                + URLEncoder.encode(challenge, StandardCharsets.UTF_8));
        try {
            HttpResponse<String> answer = client.send(HttpRequest.newBuilder(uri).timeout(DEADLINE).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            boolean json = answer.headers().firstValue("content-type").orElse("").startsWith("application/json");
            if (answer.statusCode() != 200 || !json) {
                return false;
            }
            JsonNode body = Simulator.JSON.readTree(answer.body());
            String expected = HexFormat.of().formatHex(Signatures.hmacSha256(secret,
                    challenge.getBytes(StandardCharsets.UTF_8)));
            return challenge.equals(body.path("challengeCode").asText())
                    && expected.equals(body.path("challengeResponse").asText());
        } catch (IOException e) {
            return false; // no answer within 3 s, or not JSON: a failure
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
