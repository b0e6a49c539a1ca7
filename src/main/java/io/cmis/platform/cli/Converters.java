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
}
