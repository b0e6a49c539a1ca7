package io.cmis.platform.crypto;

import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * The one class that turns secrets into ciphertext and back: AES-256-GCM with a random 96-bit nonce.
 * Stored form: {@code v2.<key id>.<base64url(nonce | ciphertext | tag)>}, the associated data binding
 * it to its table, column, org and row ({@link SecretSlot}). Values of the older {@code v1} format
 * (bound to table, column and row only) still decrypt; {@code tokens rotate-key} rewrites them as v2.
 */
public final class TokenVault {
    /**
     * One cipher per thread for decrypting, initialised afresh for every value: looking the
     * transformation up per value was a measured part of the proxy's time. (Encrypting keeps one per
     * value: it is rare, and GCM forbids a cipher's reuse with the same nonce.)
     */
    private static final ThreadLocal<Cipher> DECRYPTING = ThreadLocal.withInitial(() -> {
        try {
            return Cipher.getInstance("AES/GCM/NoPadding");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JVM has no AES/GCM", e);
        }
    });

    /** The format written. */
    public static final String VERSION = "v2";
    /** The format before the org was bound; read, never written. */
    static final String VERSION_1 = "v1";
    private static final int NONCE_BYTES = 12;
    private static final int TAG_BITS = 128;

    private final Keyring keyring;
    private final SecureRandom random;

    public TokenVault(Keyring keyring, SecureRandom random) {
        this.keyring = keyring;
        this.random = random;
    }

    public String encrypt(Secret secret, SecretSlot slot) {
        EncryptionKey key = keyring.active();
        byte[] nonce = new byte[NONCE_BYTES];
        random.nextBytes(nonce);
        try {
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.ENCRYPT_MODE, key.key(), new GCMParameterSpec(TAG_BITS, nonce));
            cipher.updateAAD(slot.associatedData());
            byte[] sealed = cipher.doFinal(secret.reveal().getBytes(StandardCharsets.UTF_8));
            byte[] out = ByteBuffer.allocate(nonce.length + sealed.length).put(nonce).put(sealed).array();
            return VERSION + "." + key.id() + "." + Base64.getUrlEncoder().withoutPadding().encodeToString(out);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM is not available in this JVM", e);
        }
    }

    public Secret decrypt(String stored, SecretSlot slot) {
        String[] parts = stored.split("\\.", 3);
        if (parts.length != 3 || !(VERSION.equals(parts[0]) || VERSION_1.equals(parts[0]))) {
            throw new DecryptionException("secret in " + where(slot) + " is not in a known format (v2, or v1 before "
                    + "rotation)");
        }
        byte[] associatedData = VERSION.equals(parts[0]) ? slot.associatedData() : slot.associatedDataV1();
        EncryptionKey key = keyring.find(parts[1]).orElseThrow(() -> new DecryptionException(
                "secret in " + where(slot) + " was encrypted with key '" + parts[1]
                        + "', which is not in encryption.keys"));
        try {
            byte[] in = Base64.getUrlDecoder().decode(parts[2]);
            if (in.length <= NONCE_BYTES) {
                throw new DecryptionException("secret in " + where(slot) + " is truncated");
            }
            Cipher cipher = DECRYPTING.get();
            cipher.init(Cipher.DECRYPT_MODE, key.key(), new GCMParameterSpec(TAG_BITS, in, 0, NONCE_BYTES));
            cipher.updateAAD(associatedData);
            byte[] plain = cipher.doFinal(in, NONCE_BYTES, in.length - NONCE_BYTES);
            return Secret.of(new String(plain, StandardCharsets.UTF_8));
        } catch (IllegalArgumentException | GeneralSecurityException e) {
            throw new DecryptionException("secret in " + where(slot)
                    + " does not decrypt: tampered, or copied from another row or org");
        }
    }

    /** True when the stored value was made with a key other than the active one, or in the older format. */
    public boolean needsReencryption(String stored) {
        return !stored.startsWith(currentPrefix());
    }

    /** How every value made now begins ({@code v2.<active key id>.}); anything else awaits {@code rotate-key}. */
    public String currentPrefix() {
        return VERSION + "." + keyring.active().id() + ".";
    }

    public String activeKeyId() {
        return keyring.active().id();
    }

    private static String where(SecretSlot slot) {
        return slot.table() + "." + slot.column() + " of row " + slot.rowId();
    }
}
