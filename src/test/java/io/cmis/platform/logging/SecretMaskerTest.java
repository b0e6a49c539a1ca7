package io.cmis.platform.logging;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

class SecretMaskerTest {
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "token EAABwzLixnjYBAKZCZBr0long here | token EAA**** here | EAABwzLixnjYBAKZCZBr0long",
            "access ya29.a0AfH6SMBxyz-_abc.def | access ya29.**** | a0AfH6SMBxyz",
            "refresh 1//0gLqxyzABCDEF-123_x | refresh 1//**** | 0gLqxyzABCDEF",
            "Authorization: Bearer abc.def-ghi_123 | Authorization: Bearer **** | abc.def-ghi_123",
            "tiktok act.3f9a8b7c6d5e4f3a2b1c0d | tiktok act.**** | 3f9a8b7c6d5e4f",
            "tiktok rft.3f9a8b7c6d5e4f3a2b1c0d | tiktok rft.**** | 3f9a8b7c6d5e4f",
            "linkedin AQVa1B2c3D4e5F6g7H8i9J0k_l-m | linkedin AQV**** | a1B2c3D4e5F6g7H8",
            "linkedin AQXz9Y8x7W6v5U4t3S2r1Q0p | linkedin AQX**** | z9Y8x7W6v5U4t3S2",
            "Access-Token: 9a8b7c6d5e4f3a2b1c | Access-Token: **** | 9a8b7c6d5e4f3a2b1c",
            "GET /oauth?client_secret=shh&code=AQBx12 | GET /oauth?client_secret=****&code=**** | AQBx12",
            "body {\"refresh_token\": \"r-123456\", \"code\": 40100} | body {\"refresh_token\": \"****\", \"code\": 40100} | r-123456",
            "POST /oauth/revoke token=ya29x-not-shaped-at-all | POST /oauth/revoke token=**** | not-shaped",
            "oauth_token=2244994945-abc&oauth_token_secret=s3cr3t-45 | oauth_token=****&oauth_token_secret=**** | s3cr3t",
            "Authorization: OAuth oauth_nonce=\"n1\", oauth_signature=\"tnnArxj06c%2FjLY%3D\", oauth_token=\"370773112-Gm\" "
                    + "| Authorization: OAuth oauth_nonce=\"n1\", oauth_signature=\"****\", oauth_token=\"****\" | tnnArxj06c",
            "tiktok advertiser token 5e3f8a9b2c7d1e4f6a0b3c8d9e2f1a7b4c6d8e0f | tiktok advertiser token **** | 5e3f8a9b",
            "push eyJhbGciOiJSUzI1NiJ9.eyJlbWFpbCI6InB1c2gifQ.c2lnbmF0dXJl ok | push eyJ**** ok | eyJlbWFpbCI6",
            "{\\\"access_token\\\":\\\"plainword\\\"} | {\\\"access_token\\\":\\\"****\\\"} | plainword",
            "refresh 1\\/\\/0gLqxyzABCDEF-123_x | refresh 1\\/\\/**** | 0gLqxyzABCDEF",
            "x 370773112-GmHxMAgYyLbNEtIKZeRNFsMKPR9EyMZeS9weJAEb | x 370773112-**** | GmHxMAgY",
            "x secret LswwdoUaIvS8ltyTt5jkRh4J50vUPVVHtR2YPi5kE8xQz. | x secret ****. | LswwdoUa",
            "Authorization: Basic c25hcC1jbGllbnQ6c2VjcmV0LXZhbHVl | Authorization: Basic **** | c25hcC1jbGllbnQ6",
            // name: value, as headers and YAML write it.
            "x-api-key: 9f8e7d6c5b4a39281706f5e4 | x-api-key: **** | 9f8e7d6c5b",
            "X-Api-Key:Rt7Kq2mXp9Lw3Zv; next | X-Api-Key:****; next | Rt7Kq2mXp9",
            "refresh_token: Rt-7Kq2mXp9Lw3Zv | refresh_token: **** | Rt-7Kq2mXp9",
            "'  client_secret: Sn4pCl1entS3cretValue' | '  client_secret: ****' | Sn4pCl1ent",
            "client_secret: \"WPL_AP1.k3Tz9qRb8mXa\" | client_secret: \"****\" | k3Tz9qRb8m",
            "tiktok.webhook-secret: zz-hook-pass-41 | tiktok.webhook-secret: **** | hook-pass",
            "X-Hub-Signature-256: sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17 "
                    + "| X-Hub-Signature-256: **** | sha256=",
            "{\\\"x-api-key: Rt7Kq2mXp9Lw3Zv\\\"} | {\\\"x-api-key: ****\\\"} | Rt7Kq2mXp9",
            // A URL inside a query parameter: = and & URL-encoded, once or twice.
            "GET /login?next=%2Fcb%3Faccess_token%3DRt-7Kq2mXp9Lw3Zv%26limit%3D5 "
                    + "| GET /login?next=%2Fcb%3Faccess_token%3D****%26limit%3D5 | Rt-7Kq2mXp9",
            "redirect_uri=https%3A%2F%2Fapp%2Fcb%3Frefresh_token%3dq9Zr81kLm%26x%3D1 "
                    + "| redirect_uri=https%3A%2F%2Fapp%2Fcb%3Frefresh_token%3d****%26x%3D1 | q9Zr81kLm",
            "next=%252Fcb%253Fx%253D1%2526oauth_token_secret%253Ds3cr3t-45%2526y%253D2 "
                    + "| next=%252Fcb%253Fx%253D1%2526oauth_token_secret%253D****%2526y%253D2 | s3cr3t",
            "back=%2Fcallback%3Fcode%3Dq9Zr81kLm%26state%3Dxyz | back=%2Fcallback%3Fcode%3D****%26state%3D**** | q9Zr81kLm",
            "back=%2Fcb%3Fx%3DEAABwzLixnjYBAKZCZBr0long%26y%3D1 | back=%2Fcb%3Fx%3DEAA****%26y%3D1 | BwzLixnjYB",
            // 40 or more letters and digits of one case: base32 ids and tokens.
            "id mfrggzdfmztwq2lknnwg23tpobyxe43uov3ho6dz refused | id **** refused | mfrggzdfmz",
            "key MFRGGZDFMZTWQ2LKNNWG23TPOBYXE43UOV3HO6DZPI2DSNJS. | key ****. | MFRGGZDFMZ",
    })
    void masks_platform_credentials(String input, String expected, String leaked) {
        String masked = SecretMasker.mask(input);

        assertThat(masked).isEqualTo(expected);
        assertThat(masked).doesNotContain(leaked);
    }

    @Test
    void masks_every_platform_secret_in_every_carrier_before_and_after_json_escaping() {
        for (PlatformSecrets.Secret secret : PlatformSecrets.ALL) {
            for (String carrier : PlatformSecrets.carriers(secret)) {
                String escaped = Leaks.json(carrier);
                assertThat(Leaks.in(SecretMasker.mask(carrier), List.of(secret))).as(carrier).isEmpty();
                assertThat(Leaks.in(SecretMasker.mask(escaped), List.of(secret))).as(escaped).isEmpty();
                assertThat(Leaks.in(SecretMasker.mask("{\"message\":\"" + Leaks.json(escaped) + "\"}"), List.of(secret)))
                        .as("JSON inside a JSON string inside JSON").isEmpty();
                assertThat(SecretMasker.mask(escaped)).as("masking after escaping = escaping after masking")
                        .isEqualTo(Leaks.json(SecretMasker.mask(carrier)));
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "integration 5ea74012-3a92-4f7c-8950-2afc95a3d959 of org 0b7f3c1e-9d2a-4e8b-a1c3-5f6e7d8c9b0a",
            "ad account act_2718281828459, advertiser 7000000000000000001, customer 1234567890, urn:li:sponsoredAccount:512345678",
            "{\"state\":\"open\",\"code\":\"REVOKED_ACCESS_TOKEN\",\"token_type\":\"Bearer\",\"code\":190}",
            "error code=190 subcode=463 state=half_open success_rate 0.9523809523809523 p95 0.25",
            "at io.cmis.platform.connect.ConnectService.complete(ConnectService.java:142) 2026-12-06T05:40:00Z",
            "refresh token: expired; token kind tt_user; OAuth callback failed; bearer token rejected",
            "Basic authentication refused by /login/oauth2/access_token; HTTP Basic client auth",
            "error: token expired; x-api-key: missing; client_secret: not configured; password: required",
            "signature: mismatch; Access-Token: none; token: 401; refresh_token: 2026-12-06; api_key: \"\"",
            "the_sync_state_of_every_organization_and_platform_2 averyveryveryveryverylongwordwithoutanydigits",
            "ids 5ea74012-3a92-4f7c-8950-2afc95a3d959-0b7f3c1e-9d2a-4e8b-a1c3-5f6e7d8c9b0a 1234567890123456789",
            "GET /login?next=%2Fcb%3Ferror%3Daccess_denied%26error_description%3Dthe%2Buser%2Brefused",
    })
    void leaves_ids_numbers_and_words_alone(String text) {
        assertThat(SecretMasker.mask(text)).isEqualTo(text);
        assertThat(SecretMasker.mask(Leaks.json(text))).isEqualTo(Leaks.json(text));
    }

    @Test
    void leaves_ordinary_text_alone() {
        String text = "integration 5ea74012-3a92-4f7c-8950-2afc95a3d959 act_1234567890 error code=190 EAA";
        assertThat(SecretMasker.mask(text)).isEqualTo(text);
        assertThat(SecretMasker.mask(null)).isNull();
    }

    /**
     * A guard against catastrophic backtracking and against the regex engine's recursion overflowing the
     * stack, not a benchmark: each 1 MB line of input built to make a rule retry (a name at every second
     * character, one endless value, escapes, a word without a boundary) must be masked at all, within a
     * bound a quadratic rule would miss by hours on any machine.
     */
    @ParameterizedTest
    @ValueSource(strings = {"a=", "-", "%3D", "a%26", "aB3", "a1", "\\", "\\/", "\\\"", "token: ", "\"token\":\"",
            "Bearer ", "?code=", "ab1_"})
    void masks_a_megabyte_of_adversarial_input_without_backtracking_or_overflowing(String unit) {
        String line = unit.repeat(1_000_000 / unit.length());
        for (String text : List.of("token=" + line, "x-api-key: access_token%3D" + line + "!")) {
            String masked = assertTimeoutPreemptively(Duration.ofSeconds(5), () -> SecretMasker.mask(text), unit);
            assertThat(masked).as(unit).isNotNull();
        }
    }
}
