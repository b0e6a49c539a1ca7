package io.cmis.platform.sandbox;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Delivers webhooks as the platforms do: POSTs a signed (or deliberately mis-signed) body to the
 * tool's intake, as many copies as asked (platforms deliver at least once), and reports each answer.
 */
public final class WebhookEmitter {
    /** One prepared delivery: headers as the platform sends them, and the raw body. */
    public record Delivery(Map<String, String> headers, String body) {
        /** The same delivery with its signature spoiled, for tests of rejection. */
        public Delivery missigned() {
            Map<String, String> spoiled = new java.util.LinkedHashMap<>();
            // One character well inside the signature changes: the last one or two of a base64 value
            // can carry padding bits only, so changing those may leave the signature as it was.
            headers.forEach((k, v) -> {
                int at = v.length() - 5;
                spoiled.put(k, k.equals("content-type") ? v
                        : v.substring(0, at) + (v.charAt(at) == '0' ? '1' : '0') + v.substring(at + 1));
            });
            return new Delivery(spoiled, body);
        }
    }

    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    public static Delivery meta(String body) {
        return new Delivery(MetaSimulator.signedHeaders(body), body);
    }

    /** Meta's Deauthorize Callback: a form whose signature is inside the signed_request. */
    public static Delivery metaDeauthorize(String userId, long issuedAt) {
        return new Delivery(Map.of("content-type", "application/x-www-form-urlencoded"),
                MetaSimulator.deauthorizeBody(userId, issuedAt));
    }

    /** LinkedIn: {@code X-LI-Signature} as the public implementations read LinkedIn's recipe. */
    public static Delivery linkedin(String body) {
        return new Delivery(LinkedInSimulator.signedHeaders(body), body);
    }

    /** X: {@code x-twitter-webhooks-signature}, base64 HMAC-SHA256 of the raw body with the consumer secret. */
    public static Delivery x(String body) {
        return new Delivery(XSimulator.signedHeaders(body), body);
    }

    /** X Activity API {@code post.create} by {@code userId}, signed as X signs every delivery. */
    public static Delivery xActivityPost(String eventUuid, String userId, String postId) {
        return x(XSimulator.activityPostCreate(eventUuid, userId, postId));
    }

    /** XAA {@code oauth.revoke} by {@code userId} at {@code at} (inside the signed body), signed. */
    public static Delivery xActivityRevoke(String eventUuid, String userId, java.time.Instant at) {
        return x(XSimulator.activityRevoke(eventUuid, userId, at));
    }

    public static Delivery tiktok(String body, long unixSeconds) {
        return new Delivery(TikTokSimulator.signedHeaders(body, unixSeconds), body);
    }

    public static Delivery google(GoogleSimulator google, String messageId, String json, java.time.Instant now) {
        String token = google.pushToken(GoogleSimulator.PUSH_AUDIENCE, Duration.ofMinutes(30), now);
        return new Delivery(Map.of("authorization", "Bearer " + token, "content-type", "application/json"),
                GoogleSimulator.pushBody(messageId, json));
    }

    /** POSTs {@code copies} identical copies, one after the other; returns the HTTP status of each. */
    public List<Integer> deliver(URI target, Delivery delivery, int copies) throws IOException, InterruptedException {
        List<Integer> statuses = new ArrayList<>();
        for (int i = 0; i < copies; i++) {
            HttpRequest.Builder request = HttpRequest.newBuilder(target).timeout(Duration.ofSeconds(10))
                    .POST(HttpRequest.BodyPublishers.ofString(delivery.body()));
            delivery.headers().forEach(request::header);
            statuses.add(client.send(request.build(), HttpResponse.BodyHandlers.discarding()).statusCode());
        }
        return statuses;
    }
}
