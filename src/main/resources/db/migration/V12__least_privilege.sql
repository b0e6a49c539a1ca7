-- Defence in depth inside the database: each role holds what its path needs and no more.
--   * Flyway's history: read by the tool to check the version (through the system role, which the
--     runtime role inherits), written by migrations only; the tenant role could rewrite it.
--   * Functions: PUBLIC could execute all of them, among them roll_up_api_calls (SECURITY DEFINER):
--     a tenant attached it as a trigger to a temporary table and wrote 5,000 forged rollup rows. A
--     trigger function needs EXECUTE only to be attached, never to fire, so the call log's own
--     trigger goes on working with no role holding it. From here no new function is PUBLIC's either.
--   * circuit_breakers, rate_limits, health_state: platform-wide, not an org's; the tenant role could
--     write them. Now only the system path (SET ROLE to the system role) reads or writes them: row
--     level security forced, one policy, as for the tenant tables' system path.
--   * The call log's partitions: held to row-level security of their own (enabled and forced), so
--     one reached directly (by the owner as well) shows nothing outside the two functions that keep
--     them, which open them for themselves only; add_api_call_partition does the same for every new day.

REVOKE ALL ON ${flyway:table} FROM PUBLIC, ${tenant_role}, ${system_role};
GRANT SELECT ON ${flyway:table} TO ${system_role};
-- Version 11 created it while the old default privileges still granted every new table to both roles.
REVOKE ALL ON installation_roles FROM PUBLIC, ${tenant_role}, ${system_role};
GRANT SELECT ON installation_roles TO ${system_role};

REVOKE ALL ON ALL FUNCTIONS IN SCHEMA ${flyway:defaultSchema} FROM PUBLIC, ${tenant_role}, ${system_role};
GRANT EXECUTE ON FUNCTION current_org() TO ${tenant_role}, ${system_role};
GRANT EXECUTE ON FUNCTION add_api_call_partition(date), drop_api_call_partition(date) TO ${system_role};
-- (Not per schema: PUBLIC's EXECUTE is a global default, which a schema's defaults cannot take back.)
ALTER DEFAULT PRIVILEGES REVOKE EXECUTE ON FUNCTIONS FROM PUBLIC;

DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['circuit_breakers', 'rate_limits', 'health_state'] LOOP
        EXECUTE format('REVOKE ALL ON %I FROM PUBLIC, %I', t, '${tenant_role}');
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY system_path ON %I TO %I USING (current_user = %L) WITH CHECK (current_user = %L)',
                       t, '${system_role}', '${system_role}', '${system_role}');
    END LOOP;
END
$$;
REVOKE ALL ON platform_call_rollups FROM PUBLIC, ${tenant_role};

-- Every partition of the call log: RLS enabled and forced, plus the upkeep policy for the owner of
-- the functions (who runs them) while one of them has set cmis.partition_upkeep for its transaction.
DO $$
DECLARE
    p record;
    keeper regrole := (SELECT proowner::regrole FROM pg_proc WHERE oid = 'add_api_call_partition(date)'::regprocedure);
BEGIN
    FOR p IN SELECT i.inhrelid::regclass AS part FROM pg_inherits i
             WHERE i.inhparent = 'platform_api_calls'::regclass LOOP
        EXECUTE format('ALTER TABLE %s ENABLE ROW LEVEL SECURITY', p.part);
        EXECUTE format('ALTER TABLE %s FORCE ROW LEVEL SECURITY', p.part);
        EXECUTE format('CREATE POLICY partition_upkeep ON %s TO %s '
                       'USING (current_setting(''cmis.partition_upkeep'', true) = ''on'') '
                       'WITH CHECK (current_setting(''cmis.partition_upkeep'', true) = ''on'')', p.part, keeper);
    END LOOP;
END
$$;

-- As version 6's, and the new day is held to RLS like the others before it is attached.
CREATE OR REPLACE FUNCTION add_api_call_partition(day date) RETURNS boolean
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = ${flyway:defaultSchema}, pg_temp AS $$
DECLARE
    part text := 'platform_api_calls_' || to_char(day, 'YYYYMMDD');
    low timestamptz := day::timestamp AT TIME ZONE 'UTC';
    high timestamptz := (day + 1)::timestamp AT TIME ZONE 'UTC';
BEGIN
    PERFORM pg_advisory_xact_lock(hashtext('cmis_platform.api_call_partitions'));
    IF to_regclass(part) IS NOT NULL THEN
        RETURN false;
    END IF;
    PERFORM set_config('cmis.partition_upkeep', 'on', true);
    EXECUTE format('CREATE TABLE %I (LIKE platform_api_calls INCLUDING DEFAULTS)', part);
    EXECUTE format('REVOKE ALL ON %I FROM PUBLIC', part);
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', part);
    EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', part);
    EXECUTE format('CREATE POLICY partition_upkeep ON %I TO %I '
                   'USING (current_setting(''cmis.partition_upkeep'', true) = ''on'') '
                   'WITH CHECK (current_setting(''cmis.partition_upkeep'', true) = ''on'')', part, current_user);
    -- Written while the day's rows are moved, so no row for the day can arrive in the default
    -- partition before the new one takes it over.
    LOCK TABLE platform_api_calls_default IN SHARE ROW EXCLUSIVE MODE;
    EXECUTE format('WITH moved AS (DELETE FROM platform_api_calls_default WHERE called_at >= %L AND called_at < %L '
                   'RETURNING *) INSERT INTO %I SELECT * FROM moved', low, high, part);
    -- Proves the bounds to ATTACH, which then does not scan the partition.
    EXECUTE format('ALTER TABLE %I ADD CONSTRAINT day_bounds CHECK (called_at >= %L AND called_at < %L)',
                   part, low, high);
    EXECUTE format('ALTER TABLE platform_api_calls ATTACH PARTITION %I FOR VALUES FROM (%L) TO (%L)',
                   part, low, high);
    EXECUTE format('ALTER TABLE %I DROP CONSTRAINT day_bounds', part);
    PERFORM set_config('cmis.partition_upkeep', '', true);
    RETURN true;
END
$$;

CREATE OR REPLACE FUNCTION drop_api_call_partition(day date) RETURNS bigint
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = ${flyway:defaultSchema}, pg_temp AS $$
DECLARE
    part text := 'platform_api_calls_' || to_char(day, 'YYYYMMDD');
    held bigint;
BEGIN
    PERFORM pg_advisory_xact_lock(hashtext('cmis_platform.api_call_partitions'));
    IF to_regclass(part) IS NULL THEN
        RETURN NULL;
    END IF;
    PERFORM set_config('cmis.partition_upkeep', 'on', true);
    EXECUTE format('SELECT count(*) FROM %I', part) INTO held;
    PERFORM set_config('cmis.partition_upkeep', '', true);
    EXECUTE format('DROP TABLE %I', part);
    RETURN held;
END
$$;
