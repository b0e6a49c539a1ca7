package io.cmis.platform.platforms;

import java.util.List;
import java.util.Locale;

/** The platform ids operators type and the database stores. */
public final class PlatformIds {
    public static final List<String> KNOWN = List.of("meta", "google", "tiktok");

    private PlatformIds() {
    }

    public static String require(String text) {
        String id = text.trim().toLowerCase(Locale.ROOT);
        if (!KNOWN.contains(id)) {
            throw new UnsupportedPlatformException(text, KNOWN);
        }
        return id;
    }
}
