package io.cmis.platform.webhooks;

/** Processing an event failed: a transient failure is retried after the backoff, a permanent one is dead at once. */
final class ProcessingException extends RuntimeException {
    private final boolean transientFailure;

    ProcessingException(boolean transientFailure, String message) {
        super(message);
        this.transientFailure = transientFailure;
    }

    boolean isTransient() {
        return transientFailure;
    }
}
