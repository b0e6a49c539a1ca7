package io.cmis.platform.crypto;

import io.cmis.platform.support.TestKeys;
import org.junit.jupiter.api.Test;

import java.security.SecureRandom;
import java.util.Base64;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TokenVaultTest {
    private static final Secret TOKEN = Secret.of("EAABwzLixnjYBAKZCZAlongtoken123");
    private final UUID org = UUID.randomUUID();
    private final UUID row = UUID.randomUUID();
    private final SecretSlot slot = new SecretSlot("integrations", "access_token_enc", org, row);
    private final TokenVault vault = new TokenVault(Keyring.parse(TestKeys.K1), new SecureRandom());

    @Test
    void a_secret_round_trips_and_the_ciphertext_names_its_key_but_not_the_value() {
        String stored = vault.encrypt(TOKEN, slot);

        assertThat(stored).startsWith("v2.k1.").doesNotContain(TOKEN.reveal());
        assertThat(vault.decrypt(stored, slot)).isEqualTo(TOKEN);
    }

    @Test
    void the_same_secret_encrypts_differently_each_time_because_the_nonce_is_random() {
        assertThat(vault.encrypt(TOKEN, slot)).isNotEqualTo(vault.encrypt(TOKEN, slot));
    }

    @Test
    void a_ciphertext_copied_to_another_row_does_not_decrypt() {
        String stored = vault.encrypt(TOKEN, slot);
        SecretSlot otherRow = new SecretSlot("integrations", "access_token_enc", org, UUID.randomUUID());

        assertThatThrownBy(() -> vault.decrypt(stored, otherRow))
                .isInstanceOf(DecryptionException.class)
                .hasMessageContaining("copied from another row")
                .hasMessageNotContaining(TOKEN.reveal());
    }

    @Test
    void a_ciphertext_copied_to_another_column_of_the_same_row_does_not_decrypt() {
        String stored = vault.encrypt(TOKEN, slot);

        assertThatThrownBy(() -> vault.decrypt(stored, new SecretSlot("integrations", "refresh_token_enc", org, row)))
                .isInstanceOf(DecryptionException.class);
    }

    @Test
    void a_tampered_ciphertext_does_not_decrypt() {
        String stored = vault.encrypt(TOKEN, slot);
        byte[] raw = Base64.getUrlDecoder().decode(stored.substring("v2.k1.".length()));
        raw[raw.length - 1] ^= 1;
        String tampered = "v2.k1." + Base64.getUrlEncoder().withoutPadding().encodeToString(raw);

        assertThatThrownBy(() -> vault.decrypt(tampered, slot)).isInstanceOf(DecryptionException.class);
    }

    @Test
    void a_ciphertext_of_an_unknown_key_names_the_key_and_the_setting() {
        String stored = new TokenVault(Keyring.parse(TestKeys.K2), new SecureRandom()).encrypt(TOKEN, slot);

        assertThatThrownBy(() -> vault.decrypt(stored, slot))
                .isInstanceOf(DecryptionException.class)
                .hasMessageContaining("'k2'")
                .hasMessageContaining("encryption.keys");
    }

    @Test
    void garbage_is_reported_as_not_in_the_format() {
        assertThatThrownBy(() -> vault.decrypt("plaintext-token", slot)).hasMessageContaining("not in a known format");
        assertThatThrownBy(() -> vault.decrypt("v3.k1.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", slot))
                .hasMessageContaining("not in a known format");
        assertThatThrownBy(() -> vault.decrypt("v2.k1.AAAA", slot)).hasMessageContaining("truncated");
        assertThatThrownBy(() -> vault.decrypt("v1.k1.AAAA", slot)).hasMessageContaining("truncated");
        assertThatThrownBy(() -> vault.decrypt("v2.k1.!!!", slot)).isInstanceOf(DecryptionException.class);
    }

    @Test
    void after_a_new_key_is_put_first_old_ciphertexts_still_decrypt_and_are_marked_for_rotation() {
        String old = vault.encrypt(TOKEN, slot);
        TokenVault rotated = new TokenVault(Keyring.parse(TestKeys.K2 + "," + TestKeys.K1), new SecureRandom());

        assertThat(rotated.decrypt(old, slot)).isEqualTo(TOKEN);
        assertThat(rotated.needsReencryption(old)).isTrue();
        String fresh = rotated.encrypt(TOKEN, slot);
        assertThat(fresh).startsWith("v2.k2.");
        assertThat(rotated.needsReencryption(fresh)).isFalse();
    }

    @Test
    void a_ciphertext_copied_into_another_orgs_row_does_not_decrypt() {
        String stored = vault.encrypt(TOKEN, slot);
        SecretSlot otherOrgsRow = new SecretSlot("integrations", "access_token_enc", UUID.randomUUID(), UUID.randomUUID());

        assertThatThrownBy(() -> vault.decrypt(stored, otherOrgsRow))
                .isInstanceOf(DecryptionException.class)
                .hasMessageContaining("another row or org")
                .hasMessageNotContaining(TOKEN.reveal());
    }

    @Test
    void a_row_whose_org_was_changed_no_longer_decrypts_its_secret() {
        String stored = vault.encrypt(TOKEN, slot);
        SecretSlot sameRowMovedToAnotherOrg = new SecretSlot("integrations", "access_token_enc", UUID.randomUUID(), row);

        assertThatThrownBy(() -> vault.decrypt(stored, sameRowMovedToAnotherOrg)).isInstanceOf(DecryptionException.class);
    }

    @Test
    void a_v1_ciphertext_of_an_older_release_still_decrypts_and_is_marked_for_rotation_even_under_the_active_key() {
        String v1 = LegacyV1.encrypt(Keyring.parse(TestKeys.K1), TOKEN, slot);

        assertThat(v1).startsWith("v1.k1.");
        assertThat(vault.decrypt(v1, slot)).isEqualTo(TOKEN);
        assertThat(vault.needsReencryption(v1)).isTrue();
        assertThat(vault.currentPrefix()).isEqualTo("v2.k1.");
    }

    @Test
    void a_v2_ciphertext_relabelled_v1_does_not_decrypt_without_its_org() {
        // Downgrading the label must not shed the org binding: v1's associated data differs from v2's.
        String stored = vault.encrypt(TOKEN, slot);
        String relabelled = "v1" + stored.substring(2);
        SecretSlot otherOrg = new SecretSlot("integrations", "access_token_enc", UUID.randomUUID(), row);

        assertThatThrownBy(() -> vault.decrypt(relabelled, otherOrg)).isInstanceOf(DecryptionException.class);
        assertThatThrownBy(() -> vault.decrypt(relabelled, slot)).isInstanceOf(DecryptionException.class);
    }

    @Test
    void a_secret_never_shows_its_value_when_printed() {
        assertThat(TOKEN.toString()).isEqualTo("Secret[****]");
        assertThat(String.valueOf(java.util.List.of(TOKEN))).doesNotContain(TOKEN.reveal());
    }
}
