-- Which sync holds which integration, until when. Replaces a session advisory lock, which a
-- transaction pooler (PgBouncer in transaction mode) cannot carry: taken on one server session and
-- released on another, it would stay behind on a connection the next client gets. A lease is a row:
-- claimed with one statement, renewed while the sync runs, released at the end, and free by itself
-- once it expires when its holder dies. Times are the database's, so hosts' clocks do not matter.
CREATE TABLE sync_leases (
    integration_id uuid PRIMARY KEY,
    org_id         uuid NOT NULL,
    holder         text NOT NULL,
    claimed_at     timestamptz NOT NULL DEFAULT now(),
    expires_at     timestamptz NOT NULL,
    FOREIGN KEY (org_id, integration_id) REFERENCES integrations (org_id, id) ON DELETE CASCADE
);

ALTER TABLE sync_leases ENABLE ROW LEVEL SECURITY;
ALTER TABLE sync_leases FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON sync_leases TO cmis_tenant
    USING (org_id = current_org()) WITH CHECK (org_id = current_org());
CREATE POLICY system_path ON sync_leases TO cmis_system
    USING (current_user = 'cmis_system') WITH CHECK (current_user = 'cmis_system');
