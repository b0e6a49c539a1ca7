package io.cmis.platform.crypto;

import io.cmis.platform.config.ConfigException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Where the keys come from: {@code encryption.keys} when set; otherwise, with the embedded database
 * only, a key file generated once in {@code data.dir} (mode 0600). An external database without
 * configured keys is a configuration error: a generated key on one host would be unknown to the others.
 */
public final class KeySource {
    static final String KEY_FILE = "encryption.key";
    private static final Logger log = LoggerFactory.getLogger(KeySource.class);

    private KeySource() {
    }

    /** @param notice told once, when a key file is generated */
    public static Keyring resolve(Optional<Keyring> configured, boolean embedded, Path dataDir,
                                  SecureRandom random, Consumer<String> notice) {
        if (configured.isPresent()) {
            return configured.get();
        }
        if (!embedded) {
            throw new ConfigException("encryption.keys is required with an external database; set it to "
                    + "id:base64-of-32-bytes, e.g. CMIS_ENCRYPTION_KEYS=k1:$(openssl rand -base64 32)");
        }
        return fromKeyFile(dataDir.resolve(KEY_FILE), random, notice);
    }

    static Keyring fromKeyFile(Path file, SecureRandom random, Consumer<String> notice) {
        try {
            if (!Files.exists(file)) {
                generate(file, random, notice);
            }
            return Keyring.parse(Files.readString(file, StandardCharsets.UTF_8).trim());
        } catch (IllegalArgumentException e) {
            throw new ConfigException("the key file " + file + " is damaged (" + e.getMessage()
                    + "); restore it from your backup");
        } catch (IOException e) {
            throw new ConfigException("cannot read or create the key file " + file + ": " + e.getMessage());
        }
    }

    private static void generate(Path file, SecureRandom random, Consumer<String> notice) throws IOException {
        byte[] raw = new byte[EncryptionKey.KEY_BYTES];
        random.nextBytes(raw);
        String line = "local1:" + Base64.getEncoder().encodeToString(raw) + "\n";
        // A data dir made here is the owner's alone, as the embedded database makes it.
        Files.createDirectories(file.getParent(),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        Path temp = Files.createTempFile(file.getParent(), ".encryption", ".tmp",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        try {
            Files.writeString(temp, line, StandardCharsets.UTF_8);
            // A link, not a rename: two first runs at the same moment must not each keep a different key.
            Files.createLink(file, temp);
            notice.accept("generated an encryption key in " + file + "; back it up with the database, "
                    + "tokens cannot be read without it");
            log.info("generated encryption key file {}", file);
        } catch (FileAlreadyExistsException e) {
            // another process made it first; use theirs
        } finally {
            Files.deleteIfExists(temp);
        }
    }
}
