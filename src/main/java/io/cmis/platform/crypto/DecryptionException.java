package io.cmis.platform.crypto;

/** A stored secret could not be decrypted: unknown key id, tampered data, or a ciphertext moved to another row. */
public class DecryptionException extends RuntimeException {
    public DecryptionException(String message) {
        super(message);
    }
}
