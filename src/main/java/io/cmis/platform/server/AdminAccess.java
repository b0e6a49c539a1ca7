package io.cmis.platform.server;

import io.cmis.platform.config.ConfigException;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Who may read the admin pages (dashboard, {@code /metrics}, the whole {@code /health/integrations}):
 * they show every org's names and reasons. Fails closed: with {@code serve.admin-token} set, only a
 * request carrying it ({@code Authorization: Bearer}, or the session cookie the login form sets);
 * without one, only a loopback client that is not behind a proxy and asked for a loopback name in
 * {@code Host} (not a rebound domain), and serve does not listen beyond loopback at all. The token never travels in a URL: URLs end up in access logs and browser history.
 */
public final class AdminAccess {
    /** The session cookie of the login form: an expiry and an HMAC of it under the token, not the token. */
    static final String COOKIE = "cmis_admin";
    static final Duration SESSION = Duration.ofHours(12);
    /**
     * A request carrying any of these, or any {@code X-Forwarded-*} header, came through a proxy: its
     * socket's loopback address is the proxy's, not the client's. (A proxy that adds none of them
     * looks local: set the token.)
     */
    private static final Set<String> PROXY_HEADERS = Set.of("forwarded", "x-real-ip", "via",
            "x-original-forwarded-for", "true-client-ip", "cf-connecting-ip", "x-client-ip", "x-cluster-client-ip");
    /**
     * Without a token a loopback client must also have asked for a loopback name: a web page that
     * rebinds its own domain to 127.0.0.1 reaches serve from the victim's browser, but with its own
     * domain in {@code Host}.
     */
    private static final Pattern LOOPBACK_HOST = Pattern.compile("(localhost|127\\.0\\.0\\.1|\\[::1])(:\\d{1,5})?");
    /** A shorter token is guessable: nothing limits how often /login may be tried. */
    static final int MIN_TOKEN_LENGTH = 16;

    private final Optional<String> token;

    public AdminAccess(Optional<String> token) {
        this.token = token.map(String::trim).filter(t -> !t.isEmpty());
    }

    public boolean tokenSet() {
        return token.isPresent();
    }

    /**
     * serve refuses to listen beyond loopback without a token: anyone who reaches it would read
     * every org's data. An address that does not resolve counts as beyond loopback.
     */
    public static void requireTokenToListenOn(InetSocketAddress address, Optional<String> token) {
        boolean loopback = address.getAddress() != null && address.getAddress().isLoopbackAddress();
        if (!loopback && token.map(String::trim).filter(t -> !t.isEmpty()).isEmpty()) {
            throw new ConfigException("serve listens on " + address.getHostString() + " (beyond loopback) only with "
                    + "serve.admin-token set: the dashboard, /metrics and /health/integrations show every org's data");
        }
    }

    /** serve refuses to start with a guessable token. */
    public static void requireLongToken(Optional<String> token) {
        token.map(String::trim).filter(t -> !t.isEmpty()).ifPresent(t -> {
            if (t.length() < MIN_TOKEN_LENGTH) {
                throw new ConfigException("serve.admin-token must be at least " + MIN_TOKEN_LENGTH
                        + " characters (it is " + t.length() + "): a short token is guessable");
            }
        });
    }

    /**
     * The decision. {@code headers} are the request's, names lower-cased; {@code bearer} the
     * Authorization header's token, {@code cookie} the session cookie, when sent.
     */
    public boolean allows(InetAddress remote, Map<String, String> headers, Optional<String> bearer,
                          Optional<String> cookie, Instant now) {
        if (token.isPresent()) {
            return bearer.map(this::matches).orElse(false) || cookie.map(c -> validSession(c, now)).orElse(false);
        }
        return remote != null && remote.isLoopbackAddress() && !proxied(headers) && loopbackHost(headers);
    }

    static boolean proxied(Map<String, String> headers) {
        return headers.keySet().stream().map(h -> h.toLowerCase(Locale.ROOT))
                .anyMatch(h -> h.startsWith("x-forwarded-") || PROXY_HEADERS.contains(h));
    }

    /** No Host at all (HTTP/1.0) is not a loopback name either: fail closed. */
    static boolean loopbackHost(Map<String, String> headers) {
        return headers.entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase("host")).findFirst()
                .map(e -> LOOPBACK_HOST.matcher(e.getValue().trim().toLowerCase(Locale.ROOT)).matches()).orElse(false);
    }

    /** Compared in constant time, as bytes of equal-length digests. */
    boolean matches(String given) {
        return token.isPresent() && MessageDigest.isEqual(sha256(given.trim()), sha256(token.get()));
    }

    /** A session cookie value valid for {@link #SESSION}; the token itself never goes to the browser. */
    String newSession(Instant now) {
        long expires = now.plus(SESSION).getEpochSecond();
        return expires + "." + mac(expires);
    }

    boolean validSession(String value, Instant now) {
        int dot = value.indexOf('.');
        if (token.isEmpty() || dot <= 0) {
            return false;
        }
        long expires;
        try {
            expires = Long.parseLong(value.substring(0, dot));
        } catch (NumberFormatException e) {
            return false;
        }
        return now.getEpochSecond() < expires && MessageDigest.isEqual(
                value.substring(dot + 1).getBytes(StandardCharsets.US_ASCII), mac(expires).getBytes(StandardCharsets.US_ASCII));
    }

    private String mac(long expires) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(token.orElseThrow().getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            byte[] out = mac.doFinal(("cmis-admin-session." + expires).getBytes(StandardCharsets.US_ASCII));
            return Base64.getUrlEncoder().withoutPadding().encodeToString(out);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] sha256(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
