package io.cmis.platform.platforms;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;

import static org.assertj.core.api.Assertions.assertThat;

/** Event keys are hashes of canonical JSON: the text must not change from one version to the next. */
class SignaturesTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** How canonical JSON was written before (the tree as sorted maps, written by Jackson). */
    private static final ObjectMapper REFERENCE = new ObjectMapper()
            .configure(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true);

    @ParameterizedTest
    @ValueSource(strings = {
            "{\"b\":1,\"a\":{\"d\":[3,2,{\"z\":null,\"y\":true}],\"c\":\"x\"}}",
            "{\"message\":\"caf\\u00e9 \\\"quoted\\\" back\\\\slash\\n\\ttab \\u0001 \\u2028 emoji \\ud83d\\ude00 / slash\"}",
            "{\"n\":[0,-1,2147483648,9223372036854775807,123456789012345678901234567890,1.5,-0.0,1e20,3.14159,1E-7]}",
            "[]", "{}", "\"just text\"", "42", "null", "{\"\":\"\",\"é\":\"ü\",\"A\":1,\"a\":2}"
    })
    void canonical_json_is_written_exactly_as_before(String json) throws Exception {
        JsonNode node = JSON.readTree(json);
        String reference = REFERENCE.writeValueAsString(REFERENCE.treeToValue(node, Object.class));
        assertThat(Signatures.canonical(node)).isEqualTo(reference);
    }

    @Test
    void the_cached_mac_gives_the_same_signature_every_time_and_per_key() throws Exception {
        byte[] body = "{\"object\":\"page\"}".getBytes(StandardCharsets.UTF_8);
        javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
        mac.init(new javax.crypto.spec.SecretKeySpec("k1".getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        byte[] expected = mac.doFinal(body);
        for (int i = 0; i < 3; i++) {
            assertThat(Signatures.hmacSha256("k1", body)).isEqualTo(expected);
        }
        assertThat(Signatures.hmacSha256("k2", body)).isNotEqualTo(expected);
        assertThat(Signatures.hmacSha256("k1", "{\"object\":".getBytes(StandardCharsets.UTF_8),
                "\"page\"}".getBytes(StandardCharsets.UTF_8))).as("parts hash as one").isEqualTo(expected);
        assertThat(Signatures.sha256Hex("abc"))
                .isEqualTo("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
        assertThat(HexFormat.of().formatHex(expected)).hasSize(64);
    }
}
