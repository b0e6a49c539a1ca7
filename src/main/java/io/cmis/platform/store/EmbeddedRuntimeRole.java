package io.cmis.platform.store;

import io.cmis.platform.tenancy.InstallationRoles;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import javax.sql.DataSource;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.sql.SQLException;
import java.util.Base64;

/**
 * The role the tool works as on its embedded server, as it does with an external database: a login
 * that owns nothing, is no superuser and is a member of the installation's two roles only. Only
 * migrations run as the superuser. A statement that went wrong (or was made to) then cannot read
 * {@code encryption.key} or the password file, run programs, or step around row-level security.
 */
final class EmbeddedRuntimeRole {
    static final String NAME = "cmis_runtime";
    /** Serialises processes making or changing the role at the same moment (catalog rows are not MVCC-safe to update twice). */
    private static final long LOCK = 0x636d69735f72756eL;

    private EmbeddedRuntimeRole() {
    }

    /** Its password, derived from the superuser's, so there is no second file to lose; the reverse is not possible. */
    static String password(String superuserPassword) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(superuserPassword.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return Base64.getUrlEncoder().withoutPadding()
                    .encodeToString(mac.doFinal("cmis-platform runtime role".getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 unavailable", e);
        }
    }

    /**
     * Makes the role if it is missing, lets it connect, and makes it a member of the installation's
     * roles once a migration has recorded them. Safe to repeat and to run from two processes at once.
     */
    static void ensure(DataSource superuser, String password) {
        Jdbi.create(superuser).useTransaction(h -> {
            h.execute("SELECT pg_advisory_xact_lock(?)", LOCK);
            refuseForeignRoles(h);
            boolean exists = h.createQuery("SELECT count(*) > 0 FROM pg_roles WHERE rolname = :name")
                    .bind("name", NAME).mapTo(Boolean.class).one();
            // While the server trusted every login (before EmbeddedPassword), any local account was its
            // superuser and may have made this role in advance: its attributes, password and
            // memberships are set here, never trusted.
            h.execute((exists ? "ALTER" : "CREATE") + " ROLE " + NAME
                    + " LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS NOREPLICATION INHERIT");
            setPassword(h, password);
            h.execute("GRANT CONNECT ON DATABASE postgres TO " + NAME);
            java.util.Optional<InstallationRoles> roles = InstallationRoles.recorded(h);
            java.util.List<String> others = h.createQuery("""
                            SELECT r.rolname FROM pg_auth_members m JOIN pg_roles r ON r.oid = m.roleid
                            WHERE m.member = (SELECT oid FROM pg_roles WHERE rolname = :name)
                            """).bind("name", NAME).mapTo(String.class).list();
            for (String other : others) {
                if (roles.isEmpty() || !(other.equals(roles.get().tenant()) || other.equals(roles.get().system()))) {
                    h.execute("REVOKE \"" + other.replace("\"", "\"\"") + "\" FROM " + NAME);
                }
            }
            roles.ifPresent(r -> h.execute("GRANT \"" + r.tenant() + "\", \"" + r.system() + "\" TO " + NAME));
        });
    }

    /** A role the tool did not make that can log in or do more than a plain role: someone else's way in. */
    private static void refuseForeignRoles(Handle h) {
        java.util.List<String> foreign = h.createQuery("""
                SELECT rolname FROM pg_roles
                WHERE rolname NOT IN ('postgres', :name) AND rolname NOT LIKE 'pg\\_%'
                  AND (rolsuper OR rolcanlogin OR rolbypassrls OR rolcreaterole OR rolcreatedb OR rolreplication)
                ORDER BY rolname
                """).bind("name", NAME).mapTo(String.class).list();
        if (!foreign.isEmpty()) {
            throw new DatabaseUnavailableException("the embedded database has roles the tool did not make that can "
                    + "log in or do more than a plain role: " + String.join(", ", foreign) + "; drop them as postgres "
                    + "(the password is in data.dir/postgres.password) or move data.dir away to start afresh");
        }
    }

    private static void setPassword(Handle h, String password) {
        try {
            // The driver sends a SCRAM verifier computed here, never the password.
            h.getConnection().unwrap(org.postgresql.PGConnection.class)
                    .alterUserPassword(NAME, password.toCharArray(), "scram-sha-256");
        } catch (SQLException e) {
            throw new DatabaseUnavailableException("cannot set the password of the embedded database's role "
                    + NAME + ": " + e.getMessage());
        }
    }
}
