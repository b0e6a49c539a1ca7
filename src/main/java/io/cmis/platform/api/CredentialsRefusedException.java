package io.cmis.platform.api;

import java.time.Duration;
import java.util.Optional;

/**
 * Credentials that are not handed out, with the API's stable code: {@code reconnect_required} (the
 * grant is dead or disabled; the message is the reconnect advice), {@code no_channel_token},
 * {@code refresh_unavailable} (a refresh failed transiently; {@code retryAfter} says when to try again).
 */
public final class CredentialsRefusedException extends RuntimeException {
    public static final String RECONNECT_REQUIRED = "reconnect_required";
    public static final String NO_CHANNEL_TOKEN = "no_channel_token";
    public static final String REFRESH_UNAVAILABLE = "refresh_unavailable";

    private final String code;
    private final Optional<Duration> retryAfter;

    CredentialsRefusedException(String code, String message, Optional<Duration> retryAfter) {
        super(message, null, false, false);
        this.code = code;
        this.retryAfter = retryAfter;
    }

    public String code() {
        return code;
    }

    public Optional<Duration> retryAfter() {
        return retryAfter;
    }
}
