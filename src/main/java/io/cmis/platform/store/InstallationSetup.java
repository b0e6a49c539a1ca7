package io.cmis.platform.store;

import io.cmis.platform.tenancy.InstallationRoles;

import java.util.regex.Pattern;

/**
 * The SQL an administrator runs once per installation (and again after its first {@code db migrate}),
 * connected to its database: the owner that migrates (no CREATEROLE, no CREATEDB), the runtime role
 * cron and serve log in as (owns nothing, a member of the installation's two roles only), those two
 * roles, the schema owned by the owner, and CONNECT for them alone. Every statement is safe to repeat.
 */
public final class InstallationSetup {
    private static final Pattern NAME = Pattern.compile("[a-z_][a-z0-9_]{0,62}");

    private InstallationSetup() {
    }

    /** Why {@code name} cannot be used as a role or database name here, or null. */
    public static String nameProblem(String what, String name) {
        return NAME.matcher(name).matches() ? null
                : what + " '" + name + "' is not a plain PostgreSQL name (lower-case letters, digits and _, at most 63)";
    }

    public static String sql(String database, InstallationRoles roles, String owner, String runtime) {
        for (String[] n : new String[][] {{"database", database}, {"owner", owner}, {"runtime role", runtime}}) {
            String why = nameProblem(n[0], n[1]);
            if (why != null) {
                throw new IllegalArgumentException(why);
            }
        }
        return """
                -- cmis-platform db setup for database %1$s: run as an administrator (a superuser, or a role
                -- that may create roles and owns %1$s), connected to %1$s, before its first db migrate and
                -- once more after it. Safe to run again. Passwords are set apart: \\password %2$s, \\password %3$s
                DO $$
                BEGIN
                    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '%2$s') THEN
                        CREATE ROLE %2$s LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS;
                    END IF;
                    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '%3$s') THEN
                        CREATE ROLE %3$s LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS;
                    END IF;
                    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '%4$s') THEN
                        CREATE ROLE %4$s NOLOGIN NOBYPASSRLS;
                    END IF;
                    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '%5$s') THEN
                        CREATE ROLE %5$s NOLOGIN NOBYPASSRLS;
                    END IF;
                    -- Schema version 1 still names the roles every database shared before version 11: the
                    -- owner holds them for its first db migrate only, and loses them on the next run of this.
                    IF to_regclass('cmis_platform.installation_roles') IS NULL THEN
                        IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'cmis_tenant') THEN
                            CREATE ROLE cmis_tenant NOLOGIN NOBYPASSRLS;
                        END IF;
                        IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'cmis_system') THEN
                            CREATE ROLE cmis_system NOLOGIN NOBYPASSRLS;
                        END IF;
                        GRANT cmis_tenant, cmis_system TO %2$s;
                    ELSIF EXISTS (SELECT 1 FROM pg_auth_members m JOIN pg_roles r ON r.oid = m.roleid
                                  WHERE m.member = '%2$s'::regrole AND r.rolname IN ('cmis_tenant', 'cmis_system')) THEN
                        REVOKE cmis_tenant, cmis_system FROM %2$s;
                    END IF;
                END
                $$;
                GRANT %4$s, %5$s TO %3$s;
                REVOKE CONNECT, TEMPORARY ON DATABASE %1$s FROM PUBLIC;
                GRANT CONNECT ON DATABASE %1$s TO %2$s, %3$s;
                CREATE SCHEMA IF NOT EXISTS cmis_platform AUTHORIZATION %2$s;
                """.formatted(database, owner, runtime, roles.tenant(), roles.system());
    }
}
