package io.cmis.platform.integrations;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** Lifecycle of an integration, as stored. */
public enum IntegrationStatus {
    ACTIVE, NEEDS_REAUTH, DISABLED, REVOKED;

    @com.fasterxml.jackson.annotation.JsonValue
    public String dbValue() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static IntegrationStatus fromDb(String value) {
        return valueOf(value.toUpperCase(Locale.ROOT));
    }

    public static IntegrationStatus parse(String text) {
        for (IntegrationStatus s : values()) {
            if (s.dbValue().equalsIgnoreCase(text.trim())) {
                return s;
            }
        }
        throw new IllegalArgumentException("unknown status '" + text + "'; use one of "
                + Arrays.stream(values()).map(IntegrationStatus::dbValue).collect(Collectors.joining(", ")));
    }

    @Override
    public String toString() {
        return dbValue();
    }
}
