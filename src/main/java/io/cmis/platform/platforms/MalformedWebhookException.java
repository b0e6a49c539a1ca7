package io.cmis.platform.platforms;

/** A correctly signed webhook whose body is not what the platform sends (answered 400). */
public class MalformedWebhookException extends RuntimeException {
    public MalformedWebhookException(String message) {
        super(message);
    }
}
