-- The application's way in (issue 26).
--   * api_keys: one org each. Only the SHA-256 of the key is kept (a key is 256 random bits, so a
--     fast hash is enough: there is nothing to guess), with its display prefix. Revocation is a
--     timestamp, read on every request by every serve host: it takes effect at once.
--   * credential_reads: who read which credentials, when, and whether they were refreshed for it;
--     never the token. Pruned by db prune after credential-reads.retention.
--   * oauth_states.return_to: where serve's callback sends the user's browser back to the
--     application (a URL of connect.return-urls, checked when the flow is started).
-- Like every table since version 12: explicit grants, row-level security enabled and forced, the
-- tenant policy on the org and the system path for the installation's system role only.

CREATE TABLE api_keys (
    id           uuid PRIMARY KEY,
    org_id       uuid NOT NULL,
    name         text NOT NULL,
    prefix       text NOT NULL,
    key_hash     text NOT NULL UNIQUE,
    scopes       text[] NOT NULL,
    created_at   timestamptz NOT NULL,
    created_by   text NOT NULL,
    last_used_at timestamptz,
    revoked_at   timestamptz,
    CONSTRAINT api_keys_name_not_blank CHECK (length(trim(name)) > 0)
);
CREATE INDEX api_keys_org ON api_keys (org_id, created_at);

CREATE TABLE credential_reads (
    id             uuid PRIMARY KEY,
    org_id         uuid NOT NULL,
    read_at        timestamptz NOT NULL,
    integration_id uuid NOT NULL,
    channel_id     uuid,
    api_key_id     uuid,
    reader         text NOT NULL,
    refreshed      boolean NOT NULL,
    outcome        text NOT NULL,
    CONSTRAINT credential_reads_outcome CHECK (outcome IN ('served', 'needs_reauth', 'unavailable'))
);
CREATE INDEX credential_reads_read_at ON credential_reads (read_at);
CREATE INDEX credential_reads_integration ON credential_reads (integration_id, read_at);

ALTER TABLE oauth_states ADD COLUMN return_to text;

DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['api_keys', 'credential_reads'] LOOP
        EXECUTE format('REVOKE ALL ON %I FROM PUBLIC', t);
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY tenant_isolation ON %I TO %I '
                       'USING (org_id = current_org()) WITH CHECK (org_id = current_org())', t, '${tenant_role}');
        EXECUTE format('CREATE POLICY system_path ON %I TO %I USING (current_user = %L) WITH CHECK (current_user = %L)',
                       t, '${system_role}', '${system_role}', '${system_role}');
    END LOOP;
END
$$;

-- Keys: an org creates, lists and revokes its own; the system path authenticates a key by its id
-- (the org is not known before), records its use, and lets an operator list and revoke any.
GRANT SELECT, INSERT, UPDATE ON api_keys TO ${tenant_role};
GRANT SELECT, UPDATE ON api_keys TO ${system_role};
-- Reads: recorded in the reader's org; counted and pruned through the system path. Nobody updates one.
GRANT SELECT, INSERT ON credential_reads TO ${tenant_role};
GRANT SELECT, DELETE ON credential_reads TO ${system_role};
