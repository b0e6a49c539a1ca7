package io.cmis.platform.crypto;

import io.cmis.platform.support.TestKeys;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class KeyringTest {
    @Test
    void the_first_key_encrypts_and_all_keys_are_found() {
        Keyring keyring = Keyring.parse(TestKeys.K2 + ", " + TestKeys.K1);

        assertThat(keyring.active().id()).isEqualTo("k2");
        assertThat(keyring.find("k1")).isPresent();
        assertThat(keyring.find("k3")).isEmpty();
    }

    @Test
    void bad_specs_are_refused_without_repeating_key_material() {
        String shortKey = "k1:" + java.util.Base64.getEncoder().encodeToString(new byte[16]);
        assertThatThrownBy(() -> Keyring.parse(shortKey)).hasMessageContaining("32 bytes").hasMessageContaining("got 16");
        assertThatThrownBy(() -> Keyring.parse("k1:not*base64")).hasMessageContaining("not valid base64")
                .hasMessageNotContaining("not*base64");
        assertThatThrownBy(() -> Keyring.parse("justakey")).hasMessageContaining("id:base64");
        assertThatThrownBy(() -> Keyring.parse(" , ")).hasMessageContaining("no key");
        assertThatThrownBy(() -> Keyring.parse(TestKeys.K1 + "," + TestKeys.K1)).hasMessageContaining("twice");
        assertThatThrownBy(() -> Keyring.parse("bad.id:" + TestKeys.K1.substring(3))).hasMessageContaining("key id");
    }

    @Test
    void printing_a_keyring_shows_ids_only() {
        assertThat(Keyring.parse(TestKeys.K1).toString()).isEqualTo("Keyring[active=k1, keys=[k1]]");
    }
}
