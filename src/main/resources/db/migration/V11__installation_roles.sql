-- Roles of this installation only. Up to version 10 every database on a server shared the
-- cluster-wide roles cmis_tenant and cmis_system, and PUBLIC could connect: the owner of another
-- database, granted those roles by its own db migrate, connected here, ran SET ROLE cmis_system and
-- read every org's rows. From here on the roles are ${tenant_role} and ${system_role}: named after
-- this database (or database.role-prefix) when it was first migrated and recorded below, where the
-- tool reads them (never from current_database() at run time: a copy of the database keeps its
-- roles). Every policy, grant and function grant moves to them and the shared roles keep nothing in
-- this database; only this installation's roles and the database's owner may connect.
--
-- The shared roles are not dropped: other databases of the server may still use them. Once every
-- database on the server is at version 11, an administrator may DROP ROLE cmis_tenant, cmis_system.

CREATE TABLE installation_roles (
    only_row    boolean PRIMARY KEY DEFAULT true CHECK (only_row),
    tenant_role name NOT NULL,
    system_role name NOT NULL
);
INSERT INTO installation_roles (tenant_role, system_role) VALUES ('${tenant_role}', '${system_role}');

-- Created here when the migrating role may (a superuser, or the owner with CREATEROLE of earlier
-- versions); otherwise an administrator created them with the SQL of 'cmis-platform db setup'.
-- A role of that name that can log in or do more than a plain role is refused: it is not ours.
DO $$
DECLARE
    r text;
BEGIN
    FOREACH r IN ARRAY ARRAY['${tenant_role}', '${system_role}'] LOOP
        IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = r) THEN
            BEGIN
                EXECUTE format('CREATE ROLE %I NOLOGIN NOBYPASSRLS', r);
            EXCEPTION WHEN insufficient_privilege THEN
                RAISE EXCEPTION 'role % does not exist and % may not create it', r, current_user
                    USING HINT = 'an administrator runs the SQL that ''cmis-platform db setup'' prints first';
            END;
        ELSIF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = r
                      AND (rolcanlogin OR rolsuper OR rolbypassrls OR rolcreaterole OR rolcreatedb OR rolreplication)) THEN
            RAISE EXCEPTION 'role % exists and is not a plain NOLOGIN role; it cannot be this installation''s', r
                USING HINT = 'set database.role-prefix to a prefix of this installation''s own';
        -- Taken in advance by someone else (PostgreSQL 16+ records who administers a role: its creator
        -- too): a role that another non-superuser administers, or a member that may create roles,
        -- could lend it to anyone. (Before 16 every role with CREATEROLE administers every role;
        -- commands warn about such a role, see RuntimeRole.)
        ELSIF EXISTS (SELECT 1 FROM pg_auth_members m JOIN pg_roles x ON x.oid = m.member
                      WHERE m.roleid = (SELECT oid FROM pg_roles WHERE rolname = r)
                        AND NOT x.rolsuper AND x.rolname <> current_user AND (m.admin_option OR x.rolcreaterole)) THEN
            RAISE EXCEPTION 'role % exists and is administered by another role; it cannot be this installation''s', r
                USING HINT = 'an administrator drops it or revokes that ADMIN OPTION, or set database.role-prefix';
        -- Holding privileges, policies or objects in another database of the server: another
        -- installation's role, reached by a database.role-prefix used twice or a database renamed.
        ELSIF EXISTS (SELECT 1 FROM pg_shdepend d
                      WHERE d.refclassid = 'pg_authid'::regclass
                        AND d.refobjid = (SELECT oid FROM pg_roles WHERE rolname = r)
                        AND d.dbid NOT IN (0, (SELECT oid FROM pg_database WHERE datname = current_database()))) THEN
            RAISE EXCEPTION 'role % already holds privileges in another database of this server; it is another installation''s', r
                USING HINT = 'set database.role-prefix to a prefix of this installation''s own';
        END IF;
    END LOOP;
END
$$;

-- An owner that runs everything itself (the set-up before version 11) switches to the roles with
-- SET ROLE, so it becomes a member where it may; with db setup's least-privilege set-up the owner
-- only migrates and the runtime role is the member.
DO $$
DECLARE
    r text;
    can_set boolean;
BEGIN
    IF (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) THEN
        RETURN;
    END IF;
    FOREACH r IN ARRAY ARRAY['${tenant_role}', '${system_role}'] LOOP
        IF current_setting('server_version_num')::int >= 160000 THEN
            EXECUTE 'SELECT pg_has_role(current_user, $1, ''SET'')' INTO can_set USING r;
        ELSE
            can_set := pg_has_role(current_user, r, 'MEMBER');
        END IF;
        IF NOT can_set THEN
            BEGIN
                EXECUTE format('GRANT %I TO %I', r, current_user);
            EXCEPTION WHEN insufficient_privilege OR invalid_grant_operation THEN
                NULL; -- not needed to migrate
            END;
        END IF;
    END LOOP;
END
$$;

-- Only this installation connects: PUBLIC loses CONNECT (and TEMPORARY: nothing here needs
-- temporary tables, and a temporary table is where a trigger can be attached by anyone). Needs the
-- database's owner (or a superuser); a migrating role that is neither leaves it to db setup's SQL.
DO $$
BEGIN
    IF pg_has_role(current_user, (SELECT datdba FROM pg_database WHERE datname = current_database()), 'MEMBER') THEN
        EXECUTE format('REVOKE CONNECT, TEMPORARY ON DATABASE %I FROM PUBLIC', current_database());
        EXECUTE format('GRANT CONNECT ON DATABASE %I TO %I, %I', current_database(), '${tenant_role}', '${system_role}');
    ELSE
        RAISE NOTICE 'CONNECT on database % is left as it is: % does not own it', current_database(), current_user;
    END IF;
END
$$;

-- Policies: the tenant's to the tenant role; the system path only for whoever SET ROLE to the
-- system role (a member that merely inherits it does not see every org).
DO $$
DECLARE
    p record;
BEGIN
    FOR p IN SELECT c.relname AS tab, pol.polname AS pol
             FROM pg_policy pol JOIN pg_class c ON c.oid = pol.polrelid
             WHERE c.relnamespace = '${flyway:defaultSchema}'::regnamespace LOOP
        IF p.pol = 'tenant_isolation' THEN
            EXECUTE format('ALTER POLICY tenant_isolation ON %I TO %I', p.tab, '${tenant_role}');
        ELSIF p.pol = 'system_path' THEN
            EXECUTE format('ALTER POLICY system_path ON %I TO %I USING (current_user = %L) WITH CHECK (current_user = %L)',
                           p.tab, '${system_role}', '${system_role}', '${system_role}');
        ELSE
            RAISE EXCEPTION 'policy % on % is not one this migration knows', p.pol, p.tab;
        END IF;
    END LOOP;
END
$$;

-- Privileges: what each shared role held on a table, sequence or function of this schema, the
-- installation's role now holds; then the shared roles lose everything here, schema included.
DO $$
DECLARE
    g record;
    legacy_tenant oid := (SELECT oid FROM pg_roles WHERE rolname = 'cmis_tenant');
    legacy_system oid := (SELECT oid FROM pg_roles WHERE rolname = 'cmis_system');
BEGIN
    IF legacy_tenant IS NULL OR legacy_system IS NULL THEN
        RETURN; -- nothing was granted to roles that do not exist
    END IF;
    FOR g IN SELECT c.relname, c.relkind, a.grantee, a.privilege_type
             FROM pg_class c, aclexplode(c.relacl) a
             WHERE c.relnamespace = '${flyway:defaultSchema}'::regnamespace
               AND a.grantee IN (legacy_tenant, legacy_system) LOOP
        EXECUTE format('GRANT %s ON %s %I TO %I', g.privilege_type,
                       CASE WHEN g.relkind = 'S' THEN 'SEQUENCE' ELSE 'TABLE' END, g.relname,
                       CASE WHEN g.grantee = legacy_tenant THEN '${tenant_role}' ELSE '${system_role}' END);
    END LOOP;
    FOR g IN SELECT p.oid::regprocedure AS fn, a.grantee
             FROM pg_proc p, aclexplode(p.proacl) a
             WHERE p.pronamespace = '${flyway:defaultSchema}'::regnamespace
               AND a.grantee IN (legacy_tenant, legacy_system) AND a.privilege_type = 'EXECUTE' LOOP
        EXECUTE format('GRANT EXECUTE ON FUNCTION %s TO %I', g.fn,
                       CASE WHEN g.grantee = legacy_tenant THEN '${tenant_role}' ELSE '${system_role}' END);
    END LOOP;
    EXECUTE format('REVOKE ALL ON ALL TABLES IN SCHEMA %I FROM cmis_tenant, cmis_system', '${flyway:defaultSchema}');
    EXECUTE format('REVOKE ALL ON ALL SEQUENCES IN SCHEMA %I FROM cmis_tenant, cmis_system', '${flyway:defaultSchema}');
    EXECUTE format('REVOKE ALL ON ALL FUNCTIONS IN SCHEMA %I FROM cmis_tenant, cmis_system', '${flyway:defaultSchema}');
    EXECUTE format('REVOKE ALL ON SCHEMA %I FROM cmis_tenant, cmis_system', '${flyway:defaultSchema}');
    EXECUTE format('REVOKE ALL ON DATABASE %I FROM cmis_tenant, cmis_system', current_database());
END
$$;

GRANT USAGE ON SCHEMA ${flyway:defaultSchema} TO ${tenant_role}, ${system_role};
GRANT SELECT ON installation_roles TO ${tenant_role}, ${system_role};

-- Default privileges are not moved but dropped: they granted every new table to both roles (version
-- 5 had to take the rollups back from the tenant). From here each migration grants what it means to.
-- Only a member of the role that set them may change them; one that is not leaves them (its future
-- tables are not created by this migration's role).
DO $$
DECLARE
    d record;
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'cmis_tenant')
       OR NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'cmis_system') THEN
        RETURN;
    END IF;
    FOR d IN SELECT DISTINCT defaclrole::regrole AS owner FROM pg_default_acl
             WHERE defaclnamespace = '${flyway:defaultSchema}'::regnamespace LOOP
        IF pg_has_role(current_user, d.owner::oid, 'MEMBER') THEN
            EXECUTE format('ALTER DEFAULT PRIVILEGES FOR ROLE %s IN SCHEMA %I REVOKE ALL ON TABLES FROM cmis_tenant, cmis_system',
                           d.owner, '${flyway:defaultSchema}');
            EXECUTE format('ALTER DEFAULT PRIVILEGES FOR ROLE %s IN SCHEMA %I REVOKE ALL ON SEQUENCES FROM cmis_tenant, cmis_system',
                           d.owner, '${flyway:defaultSchema}');
        ELSE
            RAISE NOTICE 'default privileges of % are left: % is not a member', d.owner, current_user;
        END IF;
    END LOOP;
END
$$;
