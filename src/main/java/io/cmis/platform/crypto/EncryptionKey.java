package io.cmis.platform.crypto;

import javax.crypto.SecretKey;
import javax.crypto.spec.SecretKeySpec;
import java.util.regex.Pattern;

/** One AES-256 key with the id that is written in front of every ciphertext it makes. */
public record EncryptionKey(String id, SecretKey key) {
    static final int KEY_BYTES = 32;
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9_-]{1,32}");

    public EncryptionKey {
        if (!ID.matcher(id).matches()) {
            throw new IllegalArgumentException("key id '" + id + "' must be 1-32 letters, digits, '-' or '_'");
        }
        if (key.getEncoded().length != KEY_BYTES) {
            throw new IllegalArgumentException("key '" + id + "' must be 32 bytes (AES-256), got " + key.getEncoded().length);
        }
    }

    public static EncryptionKey of(String id, byte[] raw) {
        if (raw.length != KEY_BYTES) {
            throw new IllegalArgumentException("key '" + id + "' must be 32 bytes (AES-256), got " + raw.length);
        }
        return new EncryptionKey(id, new SecretKeySpec(raw, "AES"));
    }

    @Override
    public String toString() {
        return "EncryptionKey[" + id + "]";
    }
}
