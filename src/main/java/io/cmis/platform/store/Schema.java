package io.cmis.platform.store;

import io.cmis.platform.tenancy.InstallationRoles;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.configuration.FluentConfiguration;
import org.flywaydb.core.api.output.MigrateResult;
import org.jdbi.v3.core.Jdbi;

import javax.sql.DataSource;
import java.util.Map;
import java.util.Optional;

/** The schema: Flyway migrations under {@code db/migration}, and the cheap check other commands run first. */
public final class Schema {
    public static final String NAME = "cmis_platform";
    /** The newest migration in this build; a test keeps it equal to the highest {@code V<n>__} file. */
    public static final int EXPECTED_VERSION = 17;

    private Schema() {
    }

    public static MigrateResult migrate(DataSource dataSource) {
        return migrate(dataSource, Optional.empty());
    }

    /**
     * Migrates with the installation's roles as the placeholders {@code tenant_role} and
     * {@code system_role}: those the database recorded, else {@code rolePrefix}'s, else its name's.
     */
    public static MigrateResult migrate(DataSource dataSource, Optional<String> rolePrefix) {
        InstallationRoles roles = Jdbi.create(dataSource).withHandle(h -> InstallationRoles.forMigration(h, rolePrefix));
        return configure(dataSource, roles).load().migrate();
    }

    /** Flyway for this schema and these roles (tests also migrate to a given version with it). */
    public static FluentConfiguration configure(DataSource dataSource, InstallationRoles roles) {
        return Flyway.configure()
                .dataSource(dataSource)
                .schemas(NAME)
                .locations("classpath:db/migration")
                .placeholders(Map.of("tenant_role", roles.tenant(), "system_role", roles.system()))
                .loggers("slf4j");
    }

    /** The version the database is at, or empty when it was never migrated. */
    public static Optional<Integer> currentVersion(Jdbi jdbi) {
        return jdbi.withHandle(h -> {
            boolean exists = h.createQuery("SELECT to_regclass('cmis_platform.flyway_schema_history') IS NOT NULL")
                    .mapTo(Boolean.class).one();
            if (!exists) {
                return Optional.empty();
            }
            int version = h.createQuery("""
                    SELECT coalesce(max(version::int), 0) FROM cmis_platform.flyway_schema_history
                    WHERE success AND version IS NOT NULL
                    """).mapTo(Integer.class).one();
            return version == 0 ? Optional.<Integer>empty() : Optional.of(version);
        });
    }

    /** Refuses to go on unless the database is exactly at {@link #EXPECTED_VERSION}. */
    public static void requireCurrent(Jdbi jdbi) {
        Optional<Integer> version = currentVersion(jdbi);
        if (version.isEmpty()) {
            throw new SchemaMismatchException("the database has no cmis-platform schema yet; run 'cmis-platform db migrate'");
        }
        if (version.get() < EXPECTED_VERSION) {
            throw new SchemaMismatchException("the database schema is at version " + version.get() + ", this build needs "
                    + EXPECTED_VERSION + "; run 'cmis-platform db migrate'");
        }
        if (version.get() > EXPECTED_VERSION) {
            throw new SchemaMismatchException("the database schema is at version " + version.get()
                    + ", newer than this build knows (" + EXPECTED_VERSION + "); upgrade cmis-platform");
        }
    }
}
