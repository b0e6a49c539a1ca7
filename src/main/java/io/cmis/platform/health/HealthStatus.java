package io.cmis.platform.health;

import com.fasterxml.jackson.annotation.JsonValue;

import java.util.Locale;

/** A component's or the whole's state; the order is severity, and the exit code is Nagios's. */
public enum HealthStatus {
    HEALTHY(0), WARNING(1), CRITICAL(2), UNKNOWN(3);

    private final int exitCode;

    HealthStatus(int exitCode) {
        this.exitCode = exitCode;
    }

    public int exitCode() {
        return exitCode;
    }

    @JsonValue
    public String text() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The worse of the two (unknown counts as worse than critical only for the whole, see {@link HealthCheck}). */
    public HealthStatus worst(HealthStatus other) {
        return other.ordinal() > ordinal() ? other : this;
    }

    public static HealthStatus parse(String text) {
        return valueOf(text.toUpperCase(Locale.ROOT));
    }
}
