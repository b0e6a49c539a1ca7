package io.cmis.platform.crypto;

import io.cmis.platform.config.ConfigException;
import io.cmis.platform.support.TestKeys;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class KeySourceTest {
    @TempDir
    Path dataDir;

    @Test
    void the_embedded_default_generates_a_private_key_file_once_and_says_so_once() throws Exception {
        List<String> notices = new ArrayList<>();

        Keyring first = KeySource.resolve(Optional.empty(), true, dataDir, new SecureRandom(), notices::add);
        Keyring second = KeySource.resolve(Optional.empty(), true, dataDir, new SecureRandom(), notices::add);

        Path file = dataDir.resolve("encryption.key");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        assertThat(notices).hasSize(1).first().asString().contains(file.toString()).contains("back it up");
        assertThat(second.active().key().getEncoded()).isEqualTo(first.active().key().getEncoded());
        try (var files = Files.list(dataDir)) {
            assertThat(files).containsExactly(file); // no temporary file left behind
        }
    }

    @Test
    void a_data_dir_made_for_the_key_file_is_the_owners_alone() throws Exception {
        Path fresh = dataDir.resolve("new-data-dir");

        KeySource.resolve(Optional.empty(), true, fresh, new SecureRandom(), s -> { });

        assertThat(java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(fresh)))
                .isEqualTo("rwx------");
    }

    @Test
    void configured_keys_win_over_the_key_file() {
        Keyring configured = Keyring.parse(TestKeys.K2);

        Keyring used = KeySource.resolve(Optional.of(configured), true, dataDir, new SecureRandom(), s -> { });

        assertThat(used).isSameAs(configured);
        assertThat(dataDir.resolve("encryption.key")).doesNotExist();
    }

    @Test
    void an_external_database_without_keys_is_a_configuration_error_naming_the_key() {
        assertThatThrownBy(() -> KeySource.resolve(Optional.empty(), false, dataDir, new SecureRandom(), s -> { }))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("encryption.keys");
    }

    @Test
    void a_damaged_key_file_is_reported_not_replaced() throws Exception {
        Path file = dataDir.resolve("encryption.key");
        Files.writeString(file, "local1:short");

        assertThatThrownBy(() -> KeySource.resolve(Optional.empty(), true, dataDir, new SecureRandom(), s -> { }))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("damaged");
        assertThat(Files.readString(file)).isEqualTo("local1:short");
    }
}
