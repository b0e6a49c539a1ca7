package io.cmis.platform.platforms;

/** A platform id the tool does not know; the message lists the ones it does. */
public class UnsupportedPlatformException extends IllegalArgumentException {
    public UnsupportedPlatformException(String platform, java.util.Collection<String> known) {
        super("unknown platform '" + platform + "'; known platforms: " + String.join(", ", known));
    }
}
