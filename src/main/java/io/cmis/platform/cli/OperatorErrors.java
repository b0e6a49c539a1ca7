package io.cmis.platform.cli;

import io.cmis.platform.config.ConfigException;
import io.cmis.platform.integrations.IntegrationNotFoundException;
import io.cmis.platform.platforms.UnsupportedPlatformException;
import io.cmis.platform.store.DatabaseUnavailableException;
import io.cmis.platform.store.SchemaMismatchException;

import java.util.List;

/**
 * Which failures are the operator's to fix (exit 2, one line, no stack trace) rather than bugs or
 * outages. Kept as one list so a new error type is a deliberate choice.
 */
final class OperatorErrors {
    private static final List<Class<? extends Throwable>> TYPES = List.of(
            UsageException.class,
            ConfigException.class,
            UnsupportedPlatformException.class,
            IntegrationNotFoundException.class,
            DatabaseUnavailableException.class,
            SchemaMismatchException.class,
            io.cmis.platform.connect.ConnectException.class);

    private OperatorErrors() {
    }

    static boolean isOperatorError(Throwable e) {
        return TYPES.stream().anyMatch(t -> t.isInstance(e));
    }
}
