package io.cmis.platform.platforms;

/** 5xx, timeouts, network errors, "try again" codes: worth retrying, and counted by the breaker. */
public class TransientPlatformException extends PlatformException {
    public TransientPlatformException(String platform, String endpoint, String errorCode, String message) {
        super(platform, endpoint, errorCode, message);
    }

    @Override
    public boolean transientFailure() {
        return true;
    }

    @Override
    public String outcome() {
        return "transient";
    }
}
