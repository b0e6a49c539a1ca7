package io.cmis.platform.crypto;

import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The keys named by {@code encryption.keys}: the first one encrypts, every one of them decrypts,
 * so a new key can be put in front and old ciphertexts stay readable until {@code tokens rotate-key}.
 */
public final class Keyring {
    private final EncryptionKey active;
    private final Map<String, EncryptionKey> byId;

    public Keyring(List<EncryptionKey> keys) {
        if (keys.isEmpty()) {
            throw new IllegalArgumentException("at least one key is needed");
        }
        Map<String, EncryptionKey> map = new LinkedHashMap<>();
        for (EncryptionKey key : keys) {
            if (map.putIfAbsent(key.id(), key) != null) {
                throw new IllegalArgumentException("key id '" + key.id() + "' appears twice");
            }
        }
        this.active = keys.get(0);
        this.byId = Map.copyOf(map);
    }

    /** Parses {@code id:base64[,id:base64...]}; the message never repeats key material. */
    public static Keyring parse(String spec) {
        List<EncryptionKey> keys = new ArrayList<>();
        for (String part : spec.split(",")) {
            String item = part.trim();
            if (item.isEmpty()) {
                continue;
            }
            int colon = item.indexOf(':');
            if (colon <= 0) {
                throw new IllegalArgumentException("each key must be written id:base64-of-32-bytes");
            }
            String id = item.substring(0, colon);
            byte[] raw;
            try {
                raw = Base64.getDecoder().decode(item.substring(colon + 1).trim());
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("key '" + id + "' is not valid base64");
            }
            keys.add(EncryptionKey.of(id, raw));
        }
        if (keys.isEmpty()) {
            throw new IllegalArgumentException("no key given; write id:base64-of-32-bytes");
        }
        return new Keyring(keys);
    }

    public EncryptionKey active() {
        return active;
    }

    public Optional<EncryptionKey> find(String id) {
        return Optional.ofNullable(byId.get(id));
    }

    @Override
    public String toString() {
        return "Keyring[active=" + active.id() + ", keys=" + byId.keySet() + "]";
    }
}
