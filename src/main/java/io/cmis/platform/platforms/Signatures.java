package io.cmis.platform.platforms;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.HexFormat;

/** HMAC, constant-time comparison and content hashes shared by the platforms' webhook code. */
public final class Signatures {
    private static final ObjectMapper CANONICAL = new ObjectMapper()
            .configure(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true);

    private Signatures() {
    }

    public static byte[] hmacSha256(String key, byte[]... parts) {
        Mac mac = MACS.get().computeIfAbsent(key, Signatures::newMac);
        for (byte[] part : parts) {
            mac.update(part);
        }
        return mac.doFinal(); // doFinal resets the Mac for the next use with the same key
    }

    /**
     * One initialised Mac per key and thread: looking up the provider and initialising the key cost
     * more than hashing a webhook body, on every request. A thread's map holds the few app secrets
     * configured (the webhook keys of each platform), so it stays small.
     */
    private static final ThreadLocal<java.util.Map<String, Mac>> MACS = ThreadLocal.withInitial(java.util.HashMap::new);

    private static Mac newMac(String key) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return mac;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available", e);
        }
    }

    /** Compares a hex signature with the expected bytes in constant time; malformed hex never matches. */
    public static boolean hexEquals(String hex, byte[] expected) {
        byte[] given;
        try {
            given = HexFormat.of().parseHex(hex.trim().toLowerCase(java.util.Locale.ROOT));
        } catch (IllegalArgumentException e) {
            return false;
        }
        return MessageDigest.isEqual(given, expected);
    }

    public static boolean constantTimeEquals(String a, String b) {
        return MessageDigest.isEqual(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));
    }

    public static String sha256Hex(String text) {
        return HexFormat.of().formatHex(SHA256.get().digest(text.getBytes(StandardCharsets.UTF_8)));
    }

    private static final ThreadLocal<MessageDigest> SHA256 = ThreadLocal.withInitial(() -> {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    });

    /**
     * JSON with object keys sorted, so the same content hashes the same whatever the key order.
     * Written straight from the tree (the same text Jackson writes for the tree turned into sorted
     * maps, which is what event keys were made of before, so keys stay stable across versions).
     */
    public static String canonical(JsonNode node) {
        StringBuilder out = new StringBuilder(256);
        writeCanonical(node, out);
        return out.toString();
    }

    /** {@link #canonical} appended to {@code out}. */
    public static void writeCanonical(JsonNode node, StringBuilder out) {
        if (node.isObject()) {
            java.util.List<String> names = new java.util.ArrayList<>();
            node.fieldNames().forEachRemaining(names::add);
            java.util.Collections.sort(names);
            out.append('{');
            for (int i = 0; i < names.size(); i++) {
                if (i > 0) {
                    out.append(',');
                }
                out.append('"');
                com.fasterxml.jackson.core.io.CharTypes.appendQuoted(out, names.get(i));
                out.append("\":");
                writeCanonical(node.get(names.get(i)), out);
            }
            out.append('}');
        } else if (node.isArray()) {
            out.append('[');
            for (int i = 0; i < node.size(); i++) {
                if (i > 0) {
                    out.append(',');
                }
                writeCanonical(node.get(i), out);
            }
            out.append(']');
        } else if (node.isTextual()) {
            out.append('"');
            com.fasterxml.jackson.core.io.CharTypes.appendQuoted(out, node.textValue());
            out.append('"');
        } else if (node.isMissingNode() || node.isNull()) {
            out.append("null");
        } else if (node.isBoolean() || node.isIntegralNumber()) {
            out.append(node.asText());
        } else {
            // Floating point and the rare rest: Jackson's own text. Its toString() goes through a whole
            // ObjectMapper writer, measured as the largest part of the intake's key hashing when used
            // for every string.
            out.append(node);
        }
    }
}
