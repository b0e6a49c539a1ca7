package io.cmis.platform.platforms;

import java.time.Instant;

/** The platform's breaker is open: no call was made. */
public class CircuitOpenException extends PlatformException {
    private final Instant openUntil;

    public CircuitOpenException(String platform, String endpoint, Instant openUntil) {
        super(platform, endpoint, "circuit_open", "circuit breaker open until " + openUntil + "; no call made");
        this.openUntil = openUntil;
    }

    public Instant openUntil() {
        return openUntil;
    }

    @Override
    public String outcome() {
        return "circuit_open";
    }
}
