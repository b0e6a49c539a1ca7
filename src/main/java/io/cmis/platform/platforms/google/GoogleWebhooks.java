package io.cmis.platform.platforms.google;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cmis.platform.http.GuardedHttpClient;
import io.cmis.platform.http.PlatformRequest;
import io.cmis.platform.platforms.InboundEvent;
import io.cmis.platform.platforms.MalformedWebhookException;
import io.cmis.platform.platforms.PlatformException;
import io.cmis.platform.platforms.WebhookRejectedException;
import io.cmis.platform.platforms.WebhookSupport;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.RSAPublicKeySpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Google Cloud Pub/Sub push: the bearer OIDC token (RS256) is checked against the keys published at
 * {@code google.pubsub-jwks-url} (cached; fetched again for an unknown key id, at most every
 * {@link #REFETCH_GAP}), the configured audience, Google's issuer, the expiry, and who signed it:
 * Google signs a token with any audience for any service account, so only {@code email} equal to
 * {@code google.pubsub-service-account} with {@code email_verified} true tells our subscription's
 * push from anyone else's. Without that setting every push is refused. The event key is
 * {@code message.messageId}. Google sends no revocation through Pub/Sub: the event type is the
 * publisher's {@code eventType} attribute, so no type of it ever revokes an integration.
 */
final class GoogleWebhooks implements WebhookSupport {
    static final Duration REFETCH_GAP = Duration.ofSeconds(30);
    static final Duration SKEW = Duration.ofSeconds(60);
    private static final Set<String> ISSUERS = Set.of("accounts.google.com", "https://accounts.google.com");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final GoogleSettings settings;
    private final GuardedHttpClient http;
    private final GoogleClassifier classifier;
    private final Clock clock;
    private volatile Map<String, PublicKey> keys = Map.of();
    private volatile Instant fetchedAt = Instant.MIN;

    GoogleWebhooks(GoogleSettings settings, GuardedHttpClient http, GoogleClassifier classifier, Clock clock) {
        this.settings = settings;
        this.http = http;
        this.classifier = classifier;
        this.clock = clock;
    }

    /** An installation from before the service-account check has an audience and no account: say so once. */
    @Override
    public Optional<String> refusingEverything() {
        if (!settings.pubsubAudience().isBlank() && settings.pubsubServiceAccount().isBlank()) {
            return Optional.of("google.pubsub-service-account is not set: every Google Pub/Sub push is refused (401) "
                    + "until it names the push subscription's service account");
        }
        return Optional.empty();
    }

    @Override
    public void verify(Map<String, String> headers, byte[] body) {
        if (settings.pubsubAudience().isBlank()) {
            throw new WebhookRejectedException("google.pubsub-audience is not set, so Pub/Sub pushes cannot be verified");
        }
        if (settings.pubsubServiceAccount().isBlank()) {
            throw new WebhookRejectedException("google.pubsub-service-account is not set, so every Pub/Sub push is "
                    + "refused (set it to the push subscription's service account)");
        }
        String auth = headers.getOrDefault("authorization", "");
        if (!auth.startsWith("Bearer ")) {
            throw new WebhookRejectedException("missing bearer token");
        }
        String[] parts = auth.substring(7).trim().split("\\.");
        if (parts.length != 3) {
            throw new WebhookRejectedException("the bearer token is not a JWT");
        }
        JsonNode header = decode(parts[0]);
        JsonNode claims = decode(parts[1]);
        if (!"RS256".equals(header.path("alg").asText())) {
            throw new WebhookRejectedException("the token is not RS256");
        }
        PublicKey key = key(header.path("kid").asText(""));
        if (!signatureValid(key, parts)) {
            throw new WebhookRejectedException("the token's signature does not verify");
        }
        checkClaims(claims);
    }

    private void checkClaims(JsonNode claims) {
        JsonNode aud = claims.path("aud");
        boolean audienceMatches = aud.isArray()
                ? java.util.stream.StreamSupport.stream(aud.spliterator(), false)
                .anyMatch(a -> a.asText().equals(settings.pubsubAudience()))
                : aud.asText().equals(settings.pubsubAudience());
        if (!audienceMatches) {
            throw new WebhookRejectedException("the token is for another audience");
        }
        if (!ISSUERS.contains(claims.path("iss").asText())) {
            throw new WebhookRejectedException("the token was not issued by Google");
        }
        Instant expires = Instant.ofEpochSecond(claims.path("exp").asLong(0));
        if (!clock.instant().isBefore(expires.plus(SKEW))) {
            throw new WebhookRejectedException("the token has expired");
        }
        // Pub/Sub's documented check: the subscription's service account, and Google vouches for the address.
        String email = claims.path("email").asText("");
        if (!email.equalsIgnoreCase(settings.pubsubServiceAccount())) {
            throw new WebhookRejectedException("the token was issued to another service account than "
                    + "google.pubsub-service-account");
        }
        JsonNode verified = claims.path("email_verified");
        if (!verified.isBoolean() || !verified.booleanValue()) {
            throw new WebhookRejectedException("the token's email is not verified (email_verified is not true)");
        }
    }

    private PublicKey key(String kid) {
        PublicKey key = keys.get(kid);
        if (key == null && !clock.instant().isBefore(fetchedAt.plus(REFETCH_GAP))) {
            refresh();
            key = keys.get(kid);
        }
        if (key == null) {
            throw new WebhookRejectedException("the token's key id is not among Google's published keys");
        }
        return key;
    }

    private synchronized void refresh() {
        fetchedAt = clock.instant();
        JsonNode jwks;
        try {
            jwks = http.execute(PlatformRequest.get(GoogleConnector.ID, settings.pubsubJwksUrl(), "").label("/jwks")
                    .build(), classifier).json();
        } catch (PlatformException e) {
            throw new WebhookRejectedException("cannot fetch Google's signing keys: " + e.getMessage());
        }
        Map<String, PublicKey> fresh = new HashMap<>();
        for (JsonNode jwk : jwks.path("keys")) {
            if ("RSA".equals(jwk.path("kty").asText())) {
                try {
                    BigInteger n = new BigInteger(1, Base64.getUrlDecoder().decode(jwk.path("n").asText()));
                    BigInteger e = new BigInteger(1, Base64.getUrlDecoder().decode(jwk.path("e").asText()));
                    fresh.put(jwk.path("kid").asText(), KeyFactory.getInstance("RSA")
                            .generatePublic(new RSAPublicKeySpec(n, e)));
                } catch (GeneralSecurityException | IllegalArgumentException ignored) {
                    // a key we cannot read verifies nothing
                }
            }
        }
        keys = Map.copyOf(fresh);
    }

    private static boolean signatureValid(PublicKey key, String[] parts) {
        try {
            Signature verifier = Signature.getInstance("SHA256withRSA");
            verifier.initVerify(key);
            verifier.update((parts[0] + "." + parts[1]).getBytes(StandardCharsets.US_ASCII));
            return verifier.verify(Base64.getUrlDecoder().decode(parts[2]));
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            return false;
        }
    }

    private static JsonNode decode(String part) {
        try {
            return JSON.readTree(Base64.getUrlDecoder().decode(part));
        } catch (IOException | IllegalArgumentException e) {
            throw new WebhookRejectedException("the bearer token is not a JWT");
        }
    }

    @Override
    public List<InboundEvent> events(byte[] body) {
        JsonNode root;
        try {
            root = JSON.readTree(new String(body, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new MalformedWebhookException("the body is not JSON");
        }
        JsonNode message = root == null ? null : root.path("message");
        String id = message == null ? "" : message.path("messageId").asText(message.path("message_id").asText(""));
        if (id.isEmpty()) {
            throw new MalformedWebhookException("a Pub/Sub push has message.messageId");
        }
        ObjectNode payload = root.deepCopy();
        String data = message.path("data").asText("");
        if (!data.isEmpty()) {
            try {
                String decoded = new String(Base64.getDecoder().decode(data), StandardCharsets.UTF_8);
                try {
                    payload.set("decoded_data", JSON.readTree(decoded));
                } catch (IOException notJson) {
                    payload.put("decoded_data", decoded);
                }
            } catch (IllegalArgumentException e) {
                throw new MalformedWebhookException("message.data is not base64");
            }
        }
        JsonNode attributes = message.path("attributes");
        String type = attributes.path("eventType").asText("pubsub.message");
        Optional<String> routing = Optional.ofNullable(attributes.path("customerId").asText(null));
        InboundEvent event = new InboundEvent("msg:" + id, type, routing, payload);
        try {
            // Set by Pub/Sub when the message was published; it came with our push account's token.
            return List.of(event.at(Instant.parse(message.path("publishTime").asText(""))));
        } catch (java.time.format.DateTimeParseException e) {
            return List.of(event);
        }
    }
}
