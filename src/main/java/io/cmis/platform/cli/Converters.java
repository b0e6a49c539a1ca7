package io.cmis.platform.cli;

import io.cmis.platform.integrations.IntegrationStatus;
import io.cmis.platform.platforms.ConnectorRegistry;
import io.cmis.platform.tenancy.OrgId;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

import java.util.UUID;

/** Turns option text into typed values; a bad value becomes picocli's one-line usage error. */
final class Converters {
    private Converters() {
    }

    static final class Org implements ITypeConverter<OrgId> {
        @Override
        public OrgId convert(String value) {
            try {
                return OrgId.parse(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }

    static final class Platform implements ITypeConverter<String> {
        @Override
        public String convert(String value) {
            try {
                return ConnectorRegistry.requireKnown(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }

    static final class Status implements ITypeConverter<IntegrationStatus> {
        @Override
        public IntegrationStatus convert(String value) {
            try {
                return IntegrationStatus.parse(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }

    static final class Id implements ITypeConverter<UUID> {
        @Override
        public UUID convert(String value) {
            try {
                UUID id = UUID.fromString(value.trim());
                if (!id.toString().equalsIgnoreCase(value.trim())) {
                    throw new IllegalArgumentException();
                }
                return id;
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException("'" + value + "' is not an id; ids are UUIDs as shown by 'list'");
            }
        }
    }

    static final class DurationText implements ITypeConverter<java.time.Duration> {
        @Override
        public java.time.Duration convert(String value) {
            try {
                return io.cmis.platform.config.Durations.parse(value.trim());
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException("'" + value + "' is not a duration; write e.g. 90s, 10m, 24h, 30d");
            }
        }
    }

    /** An ISO-8601 time ({@code 2026-11-25T10:00:00Z}) or a duration meaning that long ago ({@code 2h}). */
    static final class TimeOrAgo implements ITypeConverter<java.time.Instant> {
        @Override
        public java.time.Instant convert(String value) {
            try {
                return java.time.Instant.parse(value.trim());
            } catch (java.time.format.DateTimeParseException notATime) {
                try {
                    return java.time.Instant.now().minus(io.cmis.platform.config.Durations.parse(value.trim()));
                } catch (IllegalArgumentException e) {
                    throw new TypeConversionException("'" + value + "' is neither a time like 2026-11-25T10:00:00Z "
                            + "nor a duration like 2h");
                }
            }
        }
    }
}
