package io.cmis.platform.platforms.x;

import io.cmis.platform.crypto.Secret;
import io.cmis.platform.platforms.Signatures;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

/**
 * Checks an OAuth 1.0a signed request the way X's server does, for the loopback simulator: the
 * signature recomputed and compared in constant time, a timestamp outside the window refused, a nonce
 * seen before refused. X's own window is not published; five minutes is the usual choice.
 */
public final class OAuth1Verifier {
    public static final Duration DEFAULT_WINDOW = Duration.ofMinutes(5);
    public static final int DEFAULT_NONCE_CAPACITY = 10_000;

    /** Why a request was accepted or refused; the simulator maps each to X's error reply. */
    public enum Outcome { VALID, MALFORMED, UNSUPPORTED_METHOD, UNKNOWN_CONSUMER, UNKNOWN_TOKEN,
        BAD_SIGNATURE, STALE_TIMESTAMP, REUSED_NONCE }

    /** The outcome and, when valid, the protocol parameters (token, verifier, callback) for the caller. */
    public record Verdict(Outcome outcome, Map<String, String> protocol) {
        public Verdict {
            protocol = Map.copyOf(protocol);
        }

        public boolean valid() {
            return outcome == Outcome.VALID;
        }

        public Optional<String> parameter(String name) {
            return Optional.ofNullable(protocol.get(name));
        }

        @Override
        public String toString() {
            return "Verdict[" + outcome + "]";
        }

        static Verdict refused(Outcome outcome) {
            return new Verdict(outcome, Map.of());
        }
    }

    private final Clock clock;
    private final Duration window;
    private final NonceCache nonces;

    public OAuth1Verifier(Clock clock, Duration window, int nonceCapacity) {
        this.clock = Objects.requireNonNull(clock, "clock");
        if (window.isNegative() || window.isZero()) {
            throw new IllegalArgumentException("the timestamp window must be positive, got " + window);
        }
        this.window = window;
        this.nonces = new NonceCache(nonceCapacity, window);
    }

    public static OAuth1Verifier ofDefaults(Clock clock) {
        return new OAuth1Verifier(clock, DEFAULT_WINDOW, DEFAULT_NONCE_CAPACITY);
    }

    /**
     * Verifies a request signed for {@code app}; {@code tokenSecrets} finds the secret of the
     * {@code oauth_token} it names. A request without a token (the request-token step) is signed
     * with the consumer secret alone.
     */
    public Verdict verify(OAuth1Request request, String authorization, OAuth1Signer.Consumer app,
                          Function<String, Optional<Secret>> tokenSecrets) {
        Optional<Map<String, String>> parsed = parseHeader(authorization);
        if (parsed.isEmpty()) {
            return Verdict.refused(Outcome.MALFORMED);
        }
        Map<String, String> protocol = parsed.get();
        for (String required : List.of("oauth_consumer_key", "oauth_nonce", "oauth_signature",
                "oauth_signature_method", "oauth_timestamp")) {
            if (!protocol.containsKey(required)) {
                return Verdict.refused(Outcome.MALFORMED);
            }
        }
        if (!protocol.get("oauth_signature_method").equals(OAuth1Signer.SIGNATURE_METHOD)
                || !protocol.getOrDefault("oauth_version", OAuth1Signer.VERSION).equals(OAuth1Signer.VERSION)) {
            return Verdict.refused(Outcome.UNSUPPORTED_METHOD);
        }
        if (!Signatures.constantTimeEquals(protocol.get("oauth_consumer_key"), app.key())) {
            return Verdict.refused(Outcome.UNKNOWN_CONSUMER);
        }
        Optional<Secret> tokenSecret = Optional.empty();
        String token = protocol.get("oauth_token");
        if (token != null) {
            tokenSecret = tokenSecrets.apply(token);
            if (tokenSecret.isEmpty()) {
                return Verdict.refused(Outcome.UNKNOWN_TOKEN);
            }
        }
        return checkSignatureThenFreshness(request, protocol, app, tokenSecret);
    }

    // Signature first: a client whose clock is off still signs correctly, and should be told so.
    // The nonce is remembered only for an authentic request, so forgeries cannot burn real nonces.
    private Verdict checkSignatureThenFreshness(OAuth1Request request, Map<String, String> protocol,
                                                OAuth1Signer.Consumer app, Optional<Secret> tokenSecret) {
        List<OAuth1Request.Param> signed = new ArrayList<>();
        protocol.forEach((k, v) -> signed.add(new OAuth1Request.Param(k, v)));
        String expected;
        try {
            expected = OAuth1Signer.signature(OAuth1Signer.baseString(request, signed),
                    OAuth1Signer.signingKey(app.secret(), tokenSecret));
        } catch (IllegalArgumentException e) {
            return Verdict.refused(Outcome.MALFORMED);
        }
        if (!Signatures.constantTimeEquals(protocol.get("oauth_signature"), expected)) {
            return Verdict.refused(Outcome.BAD_SIGNATURE);
        }
        long timestamp;
        try {
            timestamp = Long.parseLong(protocol.get("oauth_timestamp"));
        } catch (NumberFormatException e) {
            return Verdict.refused(Outcome.MALFORMED);
        }
        long now = clock.instant().getEpochSecond();
        if (Math.abs(now - timestamp) > window.toSeconds()) {
            return Verdict.refused(Outcome.STALE_TIMESTAMP);
        }
        String nonceKey = protocol.get("oauth_consumer_key") + '\n' + protocol.getOrDefault("oauth_token", "")
                + '\n' + timestamp + '\n' + protocol.get("oauth_nonce");
        if (!nonces.firstUse(nonceKey, timestamp, now)) {
            return Verdict.refused(Outcome.REUSED_NONCE);
        }
        return new Verdict(Outcome.VALID, protocol);
    }

    /**
     * The protocol parameters of an {@code OAuth k="v", ...} header, decoded; {@code realm} is not
     * signed and is dropped. Empty when the header is missing, not OAuth, or repeats a parameter.
     */
    static Optional<Map<String, String>> parseHeader(String header) {
        if (header == null || !header.regionMatches(true, 0, "OAuth ", 0, 6)) {
            return Optional.empty();
        }
        Map<String, String> params = new HashMap<>();
        for (String part : header.substring(6).split(",")) {
            String item = part.trim();
            int eq = item.indexOf('=');
            if (eq <= 0 || item.length() < eq + 3 || item.charAt(eq + 1) != '"' || !item.endsWith("\"")) {
                return Optional.empty();
            }
            String name = percentDecode(item.substring(0, eq).trim());
            String value = percentDecode(item.substring(eq + 2, item.length() - 1));
            if (name == null || value == null || params.put(name, value) != null) {
                return Optional.empty();
            }
        }
        params.remove("realm");
        return Optional.of(params);
    }

    /** RFC 3986 decoding: unlike a form, a raw {@code +} stays a plus. Null when malformed. */
    private static String percentDecode(String text) {
        try {
            return URLDecoder.decode(text.replace("+", "%2B"), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    @Override
    public String toString() {
        return "OAuth1Verifier[window=" + window + "]";
    }

    /** Nonces seen within the window, capped so a flood of requests cannot grow memory without bound. */
    static final class NonceCache {
        private final int capacity;
        private final long windowSeconds;
        private final java.util.LinkedHashMap<String, Long> seen = new java.util.LinkedHashMap<>();

        NonceCache(int capacity, Duration window) {
            if (capacity < 1) {
                throw new IllegalArgumentException("the nonce capacity must be at least 1, got " + capacity);
            }
            this.capacity = capacity;
            this.windowSeconds = window.toSeconds();
        }

        /** True the first time a key is offered while its timestamp is inside the window. */
        synchronized boolean firstUse(String key, long timestamp, long now) {
            // A nonce whose timestamp has left the window can be forgotten: that timestamp is refused anyway.
            seen.values().removeIf(ts -> now - ts > windowSeconds);
            if (seen.containsKey(key)) {
                return false;
            }
            if (seen.size() >= capacity) {
                // Past the cap the oldest entry goes: size the cap above the requests expected per window.
                seen.remove(seen.keySet().iterator().next());
            }
            seen.put(key, timestamp);
            return true;
        }

        synchronized int size() {
            return seen.size();
        }
    }
}
