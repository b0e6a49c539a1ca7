package io.cmis.platform.logging;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;

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
    })
    void masks_platform_credentials(String input, String expected, String leaked) {
        String masked = SecretMasker.mask(input);

        assertThat(masked).isEqualTo(expected);
        assertThat(masked).doesNotContain(leaked);
    }

    @Test
    void leaves_ordinary_text_alone() {
        String text = "integration 5ea74012-3a92-4f7c-8950-2afc95a3d959 act_1234567890 error code=190 EAA";
        assertThat(SecretMasker.mask(text)).isEqualTo(text);
        assertThat(SecretMasker.mask(null)).isNull();
    }
}
