package io.cmis.platform.platforms;

/** A webhook whose signature or token does not check out (answered 401; nothing is stored). */
public class WebhookRejectedException extends RuntimeException {
    public WebhookRejectedException(String message) {
        super(message);
    }
}
