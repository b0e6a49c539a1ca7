package io.cmis.platform.store;

import org.jdbi.v3.core.Jdbi;

import java.util.Optional;

/**
 * What the role the tool runs as may do beyond its work. Before PostgreSQL 16 CREATEROLE lets a
 * role grant itself any non-superuser role of the server, pg_read_server_files and
 * pg_execute_server_program among them: a credential on every cron host that reads the server's
 * files and runs its shell. Earlier set-ups ran everything as such an owner, so it is warned about,
 * not refused: those installations keep working until their administrator moves them.
 */
public final class RuntimeRole {
    private RuntimeRole() {
    }

    /**
     * The warning for the connected role, or empty when it is a plain role or the server is 16 or
     * later (where CREATEROLE grants only roles it has ADMIN on). A superuser is not warned about:
     * the embedded database and the release test run as one on purpose.
     */
    /**
     * The warning for a migrating role that still holds the roles every database shared up to schema
     * version 10 ({@code db setup} lends them for the first migration): they read every database of
     * the server still below version 11. Empty for a superuser, or once they are taken back.
     */
    public static Optional<String> sharedRolesWarning(Jdbi migrating) {
        return migrating.withHandle(h -> h.createQuery("""
                SELECT string_agg(r.rolname, ' and ' ORDER BY r.rolname)
                FROM pg_auth_members m JOIN pg_roles r ON r.oid = m.roleid
                WHERE m.member = (SELECT oid FROM pg_roles WHERE rolname = current_user AND NOT rolsuper)
                  AND r.rolname IN ('cmis_tenant', 'cmis_system')
                """).mapTo(String.class).findOne())
                .map(roles -> "warning: the migrating role still holds " + roles + ", which every database of the "
                        + "server shared up to schema version 10 and which read those still below it; run the SQL "
                        + "of 'cmis-platform db setup' again now: it takes them back");
    }

    public static Optional<String> warning(Jdbi jdbi) {
        return jdbi.withHandle(h -> h.createQuery("""
                SELECT current_user AS name, rolsuper AS superuser, rolcreaterole AS createrole,
                       current_setting('server_version_num')::int AS version
                FROM pg_roles WHERE rolname = current_user
                """).map((rs, ctx) -> {
                    String name = rs.getString("name");
                    if (rs.getBoolean("createrole") && !rs.getBoolean("superuser") && rs.getInt("version") < 160000) {
                        return Optional.of("warning: database.user " + name + " has CREATEROLE on PostgreSQL "
                                + rs.getInt("version") / 10000 + ": it can grant itself pg_read_server_files, "
                                + "pg_execute_server_program and any other role of the server; run cron and serve as a "
                                + "runtime role that owns nothing and migrate as the owner through database.migration-user "
                                + "(the SQL: cmis-platform db setup)");
                    }
                    return Optional.<String>empty();
                }).one());
    }
}
