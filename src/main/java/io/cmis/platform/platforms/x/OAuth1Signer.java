package io.cmis.platform.platforms.x;

import io.cmis.platform.crypto.Secret;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;
import java.util.stream.Collectors;

/**
 * Signs requests with OAuth 1.0a HMAC-SHA1 (RFC 5849), the only scheme X documents for the Ads REST API.
 * Time and nonces are injected so a test can reproduce a published signature byte for byte.
 */
public final class OAuth1Signer {
    static final String SIGNATURE_METHOD = "HMAC-SHA1";
    static final String VERSION = "1.0";

    /** The app's credentials: the key is public, the secret only ever goes into the signing key. */
    public record Consumer(String key, Secret secret) {
        public Consumer {
            requireText(key, "consumer key");
            Objects.requireNonNull(secret, "consumer secret");
        }
    }

    /** A user's (or, mid-flow, a request) token; the token travels in the header, its secret never does. */
    public record Token(String value, Secret secret) {
        public Token {
            requireText(value, "token");
            Objects.requireNonNull(secret, "token secret");
        }
    }

    private final Consumer consumer;
    private final Clock clock;
    private final Supplier<String> nonces;

    public OAuth1Signer(Consumer consumer, Clock clock, Supplier<String> nonces) {
        this.consumer = Objects.requireNonNull(consumer, "consumer");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.nonces = Objects.requireNonNull(nonces, "nonces");
    }

    /** 128 random bits as hex: X wants a nonce that is unique per request and plain ASCII. */
    public static Supplier<String> randomNonces(RandomGenerator random) {
        return () -> {
            byte[] bytes = new byte[16];
            random.nextBytes(bytes);
            return HexFormat.of().formatHex(bytes);
        };
    }

    /** The {@code Authorization} header value for a request made with a user's token. */
    public String authorization(OAuth1Request request, Token token) {
        return authorization(request, Optional.of(token), List.of());
    }

    /**
     * The {@code Authorization} header value. Without a token (the request-token step) the signing key
     * ends in a bare {@code &}; {@code extra} carries {@code oauth_callback} or {@code oauth_verifier}.
     */
    public String authorization(OAuth1Request request, Optional<Token> token, List<OAuth1Request.Param> extra) {
        List<OAuth1Request.Param> protocol = new ArrayList<>(extra);
        protocol.add(new OAuth1Request.Param("oauth_consumer_key", consumer.key()));
        protocol.add(new OAuth1Request.Param("oauth_nonce", nonces.get()));
        protocol.add(new OAuth1Request.Param("oauth_signature_method", SIGNATURE_METHOD));
        protocol.add(new OAuth1Request.Param("oauth_timestamp", Long.toString(clock.instant().getEpochSecond())));
        token.ifPresent(t -> protocol.add(new OAuth1Request.Param("oauth_token", t.value())));
        protocol.add(new OAuth1Request.Param("oauth_version", VERSION));
        String base = baseString(request, protocol);
        String signature = signature(base, signingKey(consumer.secret(), token.map(Token::secret)));
        protocol.add(new OAuth1Request.Param("oauth_signature", signature));
        return header(protocol);
    }

    /** {@code Authorization: OAuth k="v", ...}: both sides percent-encoded, sorted so the header is stable. */
    static String header(List<OAuth1Request.Param> protocol) {
        return protocol.stream()
                .map(p -> new OAuth1Request.Param(percentEncode(p.name()), percentEncode(p.value())))
                .sorted(Comparator.comparing(OAuth1Request.Param::name))
                .map(p -> p.name() + "=\"" + p.value() + "\"")
                .collect(Collectors.joining(", ", "OAuth ", ""));
    }

    /** METHOD&enc(base URL)&enc(normalised parameters): exactly two raw ampersands. */
    static String baseString(OAuth1Request request, List<OAuth1Request.Param> protocol) {
        List<OAuth1Request.Param> all = new ArrayList<>(request.signedParameters());
        protocol.stream().filter(p -> !p.name().equals("oauth_signature")).forEach(all::add);
        return request.method().toUpperCase(Locale.ROOT) + '&' + percentEncode(baseUrl(request.url()))
                + '&' + percentEncode(normalise(all));
    }

    /** Encoded pairs sorted by key, then value (RFC 5849 3.4.1.3.2), joined with {@code &}. */
    static String normalise(List<OAuth1Request.Param> params) {
        return params.stream()
                .map(p -> new OAuth1Request.Param(percentEncode(p.name()), percentEncode(p.value())))
                .sorted(Comparator.comparing(OAuth1Request.Param::name).thenComparing(OAuth1Request.Param::value))
                .map(p -> p.name() + '=' + p.value())
                .collect(Collectors.joining("&"));
    }

    /** Scheme and host lower-cased, default port dropped, no query or fragment (RFC 5849 3.4.1.2). */
    static String baseUrl(URI url) {
        String scheme = url.getScheme().toLowerCase(Locale.ROOT);
        String host = url.getHost().toLowerCase(Locale.ROOT);
        int port = url.getPort();
        boolean defaultPort = port == -1 || (scheme.equals("http") && port == 80) || (scheme.equals("https") && port == 443);
        String path = url.getRawPath() == null || url.getRawPath().isEmpty() ? "/" : url.getRawPath();
        return scheme + "://" + host + (defaultPort ? "" : ":" + port) + path;
    }

    /** enc(consumer secret)&enc(token secret), the second part empty before a token exists. */
    static String signingKey(Secret consumerSecret, Optional<Secret> tokenSecret) {
        return percentEncode(consumerSecret.reveal()) + '&' + tokenSecret.map(s -> percentEncode(s.reveal())).orElse("");
    }

    static String signature(String baseString, String signingKey) {
        try {
            Mac mac = Mac.getInstance("HmacSHA1");
            mac.init(new SecretKeySpec(signingKey.getBytes(StandardCharsets.UTF_8), "HmacSHA1"));
            return Base64.getEncoder().encodeToString(mac.doFinal(baseString.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            // Deliberately without the cause's message: a provider may echo key material.
            throw new IllegalStateException("HmacSHA1 is not available");
        }
    }

    /**
     * RFC 3986 percent-encoding of the UTF-8 bytes: only {@code A-Z a-z 0-9 - . _ ~} stay raw, hex is
     * upper-case. Written out rather than patched from URLEncoder, which emits {@code +}, leaves
     * {@code *} raw and escapes {@code ~}.
     */
    static String percentEncode(String value) {
        StringBuilder out = new StringBuilder(value.length() + 16);
        for (byte b : value.getBytes(StandardCharsets.UTF_8)) {
            char c = (char) (b & 0xFF);
            if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
                    || c == '-' || c == '.' || c == '_' || c == '~') {
                out.append(c);
            } else {
                out.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 0xF, 16)));
            }
        }
        return out.toString();
    }

    private static void requireText(String value, String what) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(what + " must not be blank");
        }
    }

    @Override
    public String toString() {
        return "OAuth1Signer[consumer=" + consumer.key() + "]";
    }
}
