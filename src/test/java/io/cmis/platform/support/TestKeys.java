package io.cmis.platform.support;

/** Fixed test keys (never used outside tests). */
public final class TestKeys {
    public static final String K1 = "k1:" + java.util.Base64.getEncoder().encodeToString(bytes(1));
    public static final String K2 = "k2:" + java.util.Base64.getEncoder().encodeToString(bytes(2));

    private TestKeys() {
    }

    private static byte[] bytes(int seed) {
        byte[] b = new byte[32];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) (seed * 31 + i);
        }
        return b;
    }
}
