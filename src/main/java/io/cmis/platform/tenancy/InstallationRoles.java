package io.cmis.platform.tenancy;

import org.jdbi.v3.core.Handle;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The two roles of one installation: {@code tenant} (one org's rows) and {@code system} (the named
 * cross-org path). Roles are cluster-wide, so their names belong to one database: derived from its
 * name when it is first migrated (or from {@code database.role-prefix}), then recorded in the
 * database itself ({@code installation_roles}) and read from there, never derived again (a copy of
 * the database keeps its installation's roles).
 */
public record InstallationRoles(String tenant, String system) {
    /** PostgreSQL truncates identifiers at 63 bytes; the longest suffix is 7 ({@code _tenant}). */
    static final int MAX_PREFIX = 63 - "_tenant".length();
    private static final Pattern PREFIX = Pattern.compile("[a-z][a-z0-9_]*");
    /** The roles every database shared up to schema version 10; no installation may take their names. */
    public static final InstallationRoles LEGACY = new InstallationRoles("cmis_tenant", "cmis_system");

    public InstallationRoles {
        if (!PREFIX.matcher(tenant).matches() || !PREFIX.matcher(system).matches()
                || tenant.length() > 63 || system.length() > 63) {
            throw new IllegalArgumentException("not role names: " + tenant + ", " + system);
        }
    }

    /** The roles named by a configured prefix: {@code <prefix>_tenant} and {@code <prefix>_system}. */
    public static InstallationRoles ofPrefix(String prefix) {
        String why = prefixProblem(prefix);
        if (why != null) {
            throw new IllegalArgumentException(why);
        }
        return new InstallationRoles(prefix + "_tenant", prefix + "_system");
    }

    /** Why a configured prefix cannot name roles, or null when it can. */
    public static String prefixProblem(String prefix) {
        if (!PREFIX.matcher(prefix).matches() || prefix.length() > MAX_PREFIX) {
            return "'" + prefix + "' is not a role prefix: lower-case letters, digits and _, starting with a letter, "
                    + "at most " + MAX_PREFIX + " characters";
        }
        if (prefix.equals("cmis")) {
            return "'cmis' would name the roles cmis_tenant and cmis_system that every database shared up to "
                    + "schema version 10; choose a prefix of this installation's own";
        }
        return null;
    }

    /**
     * The default roles of a database: {@code cmis_<database>_tenant} and {@code cmis_<database>_system}.
     * A name that is not plain lower-case or too long is shortened and given 8 hex digits of its hash,
     * so two databases never share roles ({@code my-db} and {@code my_db} differ).
     */
    public static InstallationRoles derive(String database) {
        String plain = "cmis_" + database.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9_]", "_");
        boolean exact = plain.equals("cmis_" + database) && plain.length() <= MAX_PREFIX;
        String prefix = exact ? plain : plain.substring(0, Math.min(plain.length(), MAX_PREFIX - 9)) + "_" + hash(database);
        return ofPrefix(prefix);
    }

    /** The roles to migrate with: those recorded, else the configured prefix's, else the database's own. */
    public static InstallationRoles forMigration(Handle handle, Optional<String> prefix) {
        Optional<InstallationRoles> recorded = recorded(handle);
        if (recorded.isPresent()) {
            return recorded.get();
        }
        return prefix.map(InstallationRoles::ofPrefix)
                .orElseGet(() -> derive(handle.createQuery("SELECT current_database()").mapTo(String.class).one()));
    }

    /** The roles recorded in the database, empty before schema version 11. */
    public static Optional<InstallationRoles> recorded(Handle handle) {
        boolean exists = handle.createQuery("SELECT to_regclass('cmis_platform.installation_roles') IS NOT NULL")
                .mapTo(Boolean.class).one();
        if (!exists) {
            return Optional.empty();
        }
        return handle.createQuery("SELECT tenant_role, system_role FROM cmis_platform.installation_roles")
                .map((rs, ctx) -> new InstallationRoles(rs.getString(1), rs.getString(2)))
                .findOne();
    }

    private static String hash(String database) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(database.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 4);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
