package io.cmis.platform.logging;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Every platform's credentials in their real shapes (from /work/shared/reference and the sandbox
 * simulators), each with the field name it travels under, and the places a log line carries them.
 */
final class PlatformSecrets {
    /**
     * One credential. {@code publicPart} is the prefix the mask keeps on purpose (EAA, ya29., a user id);
     * {@code shaped} says whether the value alone is recognisable: an operator-chosen secret is masked
     * only by the name of the field it is in.
     */
    record Secret(String what, String field, String publicPart, String value, boolean shaped) {
        String hidden() {
            return value.substring(publicPart.length());
        }
    }

    static final String UUID_ID = "5ea74012-3a92-4f7c-8950-2afc95a3d959";
    static final String AD_ACCOUNT = "act_2718281828459";
    static final String TIKTOK_ADVERTISER = "7000000000000000001";

    static final List<Secret> ALL = List.of(
            new Secret("meta user token", "access_token", "EAA",
                    "EAAGm0PX4ZCpsBAO9ZB0ZCZAy7Ld4HZBZC0ZA8ZBkZCr1ZCaZBKdyZA3ZAdZBwZDZD", true),
            new Secret("meta page token (sandbox)", "access_token", "EAA", "EAAP3f9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c", true),
            new Secret("meta code", "code", "AQB", "AQBx7cQ_Ej3nd0-0VMG2pLkR8mTs5wDqZy4uVx1", true),
            new Secret("meta app secret", "client_secret", "", "3f2e1d0c9b8a7f6e5d4c3b2a19080706", true),
            new Secret("meta appsecret_proof", "appsecret_proof", "",
                    "9e107d9d372bb6826bd81d3542a419d6e3b0c44298fc1c149afbf4c8996fb924", true),
            new Secret("google access token", "access_token", "ya29.",
                    "ya29.a0AfB_byC3xYzQk9LmN0pQrStUvWxYz-12345_abcdef", true),
            new Secret("google refresh token", "refresh_token", "1//", "1//0gLqX7v-AbCdEfGhIjKlMnOpQrStUv", true),
            new Secret("google refresh token (sandbox)", "refresh_token", "1//",
                    "1//0g0123456789abcdef0123456789abcdef", true),
            new Secret("google authorization code", "code", "4/", "4/0AX4XfWhZ3kq-p1lN0sT8vB7yR2mC6dEfG", true),
            new Secret("google client secret", "client_secret", "GOCSPX-", "GOCSPX-1a2B3c4D5e6F7g8H9i0JkLmNoP", true),
            new Secret("google id token (pub/sub push)", "id_token", "eyJ",
                    "eyJhbGciOiJSUzI1NiIsImtpZCI6IjFlOWdkazcifQ.eyJpc3MiOiJodHRwczovL2FjY291bnRzLmdvb2dsZS5jb20i"
                            + "LCJlbWFpbCI6InB1c2hAcC5pYW0uZ3NlcnZpY2VhY2NvdW50LmNvbSJ9.c2lnbmF0dXJlLWJ5dGVzLWhlcmUtMDEyMzQ1", true),
            new Secret("google developer token", "google.ads-developer-token", "", "Xy7AbCdEfGhIjKlMnOp12", false),
            new Secret("tiktok access token", "access_token", "", "5e3f8a9b2c7d1e4f6a0b3c8d9e2f1a7b4c6d8e0f", true),
            new Secret("tiktok refresh token", "refresh_token", "", "a7b4c6d8e0f5e3f8a9b2c7d1e4f6a0b3c8d9e2f1", true),
            new Secret("tiktok user token", "access_token", "act.", "act.3f9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e", true),
            new Secret("tiktok user refresh token", "refresh_token", "rft.", "rft.9e8f7a6b5c4d3e3f9a8b7c6d5e4f3a2b1c0d", true),
            new Secret("tiktok auth code", "auth_code", "", "c8d9e2f1a7b4c6d8e0f5e3f8a9b2c7d1e4f6a0b3", true),
            new Secret("tiktok app secret", "secret", "", "0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c", true),
            new Secret("snapchat access token", "access_token", "0.",
                    "0.MGQCMHd3K2xBcVp6R1N0dU1uY0V4T3BqV2k2bGhzN2ZyaXcCMGx1", true),
            new Secret("snapchat access token (sandbox)", "access_token", "0.",
                    "0.sandbox4c3d2e1f00f1e2d3c0f1e2d3c4b5a6978", true),
            new Secret("snapchat refresh token", "refresh_token", "", "32eb12f0c4a94b8b9a7e6d5c4b3a2f10", true),
            new Secret("snapchat client secret", "client_secret", "", "Sn4pCl1entS3cretValue", false),
            new Secret("linkedin access token", "access_token", "AQV",
                    "AQVdz2Kq8_xLmN0pQrStUvWxYz-1234567890abcdefGhIjKlMnOpQrStUvWxYz0123456789", true),
            new Secret("linkedin refresh token", "refresh_token", "AQX", "AQXe7Yt6Rr5Ee4Ww3Qq2Aa1Ss0Dd9Ff8Gg7Hh", true),
            new Secret("linkedin code", "code", "AQT", "AQTn3f9a8b7c6d5e4f3a2b1c0d9e8f7a6", true),
            new Secret("linkedin client secret", "client_secret", "", "WPL_AP1.k3Tz9qRb8mXa", false),
            new Secret("x user token", "oauth_token", "370773112-", "370773112-GmHxMAgYyLbNEtIKZeRNFsMKPR9EyMZeS9weJAEb",
                    true),
            new Secret("x user token (sandbox)", "oauth_token", "2244994945-",
                    "2244994945-0f1e2d3c4b5a69788796a5b4c3d2e1f0", true),
            new Secret("x token secret", "oauth_token_secret", "", "LswwdoUaIvS8ltyTt5jkRh4J50vUPVVHtR2YPi5kE8xQz",
                    true),
            new Secret("x consumer secret", "x.consumer-secret", "",
                    "kAcSOqF21Fu85e7zjz7ZN2U4ZRhfV3WpwPAoE3Z7kBwLswwdoU", true),
            new Secret("x request token", "oauth_token", "", "NPcudxy0yU5T3tBzho7iCotZ3cnetKwcTIRlX0iwRl0", true),
            new Secret("x request token (sandbox)", "oauth_token", "rt-", "rt-8796a5b4c3d2e1f00f1e2d3c4b5a6978", true),
            new Secret("x verifier", "oauth_verifier", "", "uw7NjWHT6OJ1MpJOXsHfNxoAhPKpgI8BlYDhxEjIBY", true),
            new Secret("x verifier (sandbox)", "oauth_verifier", "v", "v4b5a69788796a5b4c3d2e1f00f1e2d3c", true),
            new Secret("x signature", "oauth_signature", "", "tnnArxj06cWHq44gCs1OSKk/jLY=", false),
            new Secret("our state", "state", "s", "sQ7vX2kLmN9pR4tW8yZ1bC3dF6gH0jK5-_aE2iO7uY9", true),
            new Secret("serve start link", "link", "l", "lR3x9Qm2Kd8vT1wZp6yB4nC7hJ0sF5gL-_aE2iO7uY9", true),
            new Secret("browser binding cookie", "__Host-cmis_connect_c0ffee12d00dfeed", "",
                    "Zk2LqP8wX5vN1cT7yR4mB9hJ0sF3gD6a-_uE2iO7oY1", true),
            new Secret("admin session cookie (expiry.hmac)", "cmis_admin", "1796534978.", "1796534978.9e107d9d372bb6826bd81d3542a419d6e3b0c442",
                    false),
            new Secret("application API key", "api_key", "cmis_5ea740123a924f7c89502afc95a3d959_",
                    "cmis_5ea740123a924f7c89502afc95a3d959_Q7vX2kLmN9pR4tW8yZ1bC3dF6gH0jK5-_aE2iO7uY9x", true),
            new Secret("pkce verifier", "code_verifier", "", "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk", true),
            new Secret("meta verify token", "meta.verify-token", "", "mv-word-31x-q", false),
            new Secret("tiktok webhook secret", "tiktok.webhook-secret", "", "zz-hook-pass-41", false),
            new Secret("forward secret", "webhooks.forward-secret", "", "fwd-pass-chosen-9", false),
            new Secret("admin token", "serve.admin-token", "", "q9-adm-chosen-77", false),
            new Secret("database password", "database.password", "", "Pg-Password-1", false),
            new Secret("encryption keys", "CMIS_ENCRYPTION_KEYS", "k1:",
                    "k1:q83vEjRWeJq83vEjRWeJq83vEjRWeJq83vEjRWeJq80=", false));

    private PlatformSecrets() {
    }

    /**
     * The texts a log line may carry the secret in: query, form body, JSON, headers ({@code name=} and
     * {@code name: value}), YAML, a URL inside a query parameter (encoded twice), a bare mention.
     */
    static List<String> carriers(Secret s) {
        String encoded = URLEncoder.encode(s.value(), StandardCharsets.UTF_8);
        List<String> texts = new ArrayList<>(List.of(
                "GET https://graph.example.com/v21.0/me?fields=id&" + s.field() + "=" + encoded + "&limit=5",
                "GET /callback?" + s.field() + "=" + s.value(),
                "POST /oauth/token body " + s.field() + "=" + encoded + "&grant_type=refresh_token",
                s.field() + "=" + encoded + "&grant_type=authorization_code",
                "answer {\"" + s.field() + "\":\"" + s.value() + "\",\"expires_in\":3600}",
                "answer {\"" + s.field() + "\" : \"" + s.value() + "\", \"advertiser_ids\": [\"" + TIKTOK_ADVERTISER + "\"]}",
                "settings {" + s.field() + "=" + s.value() + ", org=" + UUID_ID + "}",
                "Cookie: " + s.field() + "=" + s.value() + "; theme=dark",
                "Authorization: OAuth oauth_consumer_key=\"xvz1evFS4wEEPTGEFPHBog\", oauth_nonce=\"kYjzVBB8Y0ZFabxS\", "
                        + s.field() + "=\"" + encoded + "\", oauth_version=\"1.0\"",
                s.field() + ": " + s.value(),
                "headers {x-request-id: 7f3e, " + s.field() + ":" + s.value() + "}",
                "GET /login?next=" + URLEncoder.encode("/cb?x=1&" + s.field() + "=" + encoded + "&limit=5",
                        StandardCharsets.UTF_8) + "&org=" + UUID_ID));
        if (s.shaped()) {
            texts.add("Authorization: Bearer " + s.value());
            texts.add("Access-Token: " + s.value());
            texts.add("the platform refused " + s.value() + " for account " + AD_ACCOUNT);
            texts.add("(" + s.value() + ")");
            texts.add(s.value() + " was refused");
        }
        return texts;
    }
}
