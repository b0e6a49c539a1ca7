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
