package io.cmis.platform.tenancy;

import java.util.UUID;

/** An organization of the main CMIS application, by its UUID. */
public record OrgId(UUID value) {
    public OrgId {
        java.util.Objects.requireNonNull(value, "value");
    }

    /** Parses what an operator typed; the message says what a valid id looks like. */
    public static OrgId parse(String text) {
        try {
            String trimmed = text.trim();
            UUID uuid = UUID.fromString(trimmed);
            if (!uuid.toString().equalsIgnoreCase(trimmed)) {
                throw new IllegalArgumentException();
            }
            return new OrgId(uuid);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("'" + text + "' is not an organization id; use its UUID, e.g. "
                    + "5f0c6d1e-8a2b-4c3d-9e4f-1a2b3c4d5e6f");
        }
    }

    @Override
    public String toString() {
        return value.toString();
    }
}
