package io.cmis.platform.crypto;

import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * Writes ciphertexts as the releases before the org was bound did ({@code v1.}, associated data
 * without the org): what an upgraded installation has in its tables. Tests only; the code writes v2.
 */
public final class LegacyV1 {
    private LegacyV1() {
    }

    public static String encrypt(Keyring keyring, Secret secret, SecretSlot slot) {
        EncryptionKey key = keyring.active();
        byte[] nonce = new byte[12];
        new SecureRandom().nextBytes(nonce);
        try {
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.ENCRYPT_MODE, key.key(), new GCMParameterSpec(128, nonce));
            cipher.updateAAD(slot.associatedDataV1());
            byte[] sealed = cipher.doFinal(secret.reveal().getBytes(StandardCharsets.UTF_8));
            byte[] out = ByteBuffer.allocate(nonce.length + sealed.length).put(nonce).put(sealed).array();
            return "v1." + key.id() + "." + Base64.getUrlEncoder().withoutPadding().encodeToString(out);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
