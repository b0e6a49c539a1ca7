-- cmis-platform schema, version 1: every table of the design, row-level security on tenant data.
--
-- Two roles do the work; the connecting (owner) role only migrates:
--   cmis_tenant  tenant work: sees the rows of the org named by the transaction-local cmis.org_id
--   cmis_system  the explicitly named cross-org path (due tokens, webhook routing, health totals)
-- Neither bypasses RLS. Roles are cluster-wide and may already exist (several databases, one
-- cluster), so they are created only when missing.

DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'cmis_tenant') THEN
        CREATE ROLE cmis_tenant NOLOGIN NOBYPASSRLS;
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'cmis_system') THEN
        CREATE ROLE cmis_system NOLOGIN NOBYPASSRLS;
    END IF;
EXCEPTION WHEN duplicate_object THEN
    NULL; -- another database of the cluster created them at the same moment
END
$$;

-- The application switches to these roles with SET LOCAL ROLE, which needs membership with the
-- SET option. A superuser needs none. An owner with CREATEROLE that created the roles may grant them
-- to itself; on PostgreSQL 16+ its implicit ADMIN grant alone does not allow SET ROLE.
DO $$
DECLARE
    r text;
    can_set boolean;
BEGIN
    IF (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) THEN
        RETURN;
    END IF;
    FOREACH r IN ARRAY ARRAY['cmis_tenant', 'cmis_system'] LOOP
        IF current_setting('server_version_num')::int >= 160000 THEN
            EXECUTE 'SELECT pg_has_role(current_user, $1, ''SET'')' INTO can_set USING r;
        ELSE
            can_set := pg_has_role(current_user, r, 'MEMBER');
        END IF;
        IF NOT can_set THEN
            EXECUTE format('GRANT %I TO %I', r, current_user);
        END IF;
    END LOOP;
EXCEPTION WHEN insufficient_privilege OR invalid_grant_operation THEN
    RAISE EXCEPTION 'role % cannot be granted cmis_tenant and cmis_system', current_user
        USING HINT = format('ask an administrator to run: GRANT cmis_tenant, cmis_system TO %I', current_user);
END
$$;

GRANT USAGE ON SCHEMA ${flyway:defaultSchema} TO cmis_tenant, cmis_system;

-- NULL (never set) and '' (set, then reset at commit) both mean "no org": every policy then matches nothing.
CREATE FUNCTION current_org() RETURNS uuid
    LANGUAGE sql STABLE
    AS $$ SELECT NULLIF(current_setting('cmis.org_id', true), '')::uuid $$;

-- One connected platform account of one org.
CREATE TABLE integrations (
    id                       uuid PRIMARY KEY,
    org_id                   uuid NOT NULL,
    platform                 text NOT NULL CHECK (platform ~ '^[a-z][a-z0-9_]{1,31}$'),
    external_account_id      text NOT NULL CHECK (length(external_account_id) BETWEEN 1 AND 255),
    account_name             text,
    token_kind               text NOT NULL DEFAULT 'user',
    status                   text NOT NULL DEFAULT 'active'
                             CHECK (status IN ('active', 'needs_reauth', 'disabled', 'revoked')),
    status_reason            text,
    scopes                   text,
    access_token_enc         text,
    refresh_token_enc        text,
    token_expires_at         timestamptz,
    refresh_token_expires_at timestamptz,
    last_refreshed_at        timestamptz,
    refresh_count            integer NOT NULL DEFAULT 0,
    last_synced_at           timestamptz,
    metadata                 jsonb NOT NULL DEFAULT '{}',
    created_at               timestamptz NOT NULL DEFAULT now(),
    updated_at               timestamptz NOT NULL DEFAULT now(),
    UNIQUE (org_id, platform, external_account_id),
    UNIQUE (org_id, id)
);
-- The hourly sweep: active tokens by expiry.
CREATE INDEX integrations_due_tokens ON integrations (token_expires_at) WHERE status = 'active';
CREATE INDEX integrations_by_status ON integrations (status, platform);

-- Pending connect flows. The state is stored as a SHA-256 hash: a copy of the table cannot complete a flow.
CREATE TABLE oauth_states (
    id                uuid PRIMARY KEY,
    org_id            uuid NOT NULL,
    platform          text NOT NULL,
    state_hash        text NOT NULL UNIQUE,
    pkce_verifier_enc text,
    redirect_uri      text NOT NULL,
    scopes            text,
    token_kind        text NOT NULL DEFAULT 'user',
    created_at        timestamptz NOT NULL DEFAULT now(),
    expires_at        timestamptz NOT NULL,
    used_at           timestamptz
);
CREATE INDEX oauth_states_expiry ON oauth_states (expires_at);

-- Pages, Instagram business accounts, YouTube channels, TikTok accounts.
CREATE TABLE channels (
    id               uuid PRIMARY KEY,
    org_id           uuid NOT NULL,
    integration_id   uuid NOT NULL,
    platform         text NOT NULL,
    type             text NOT NULL
                     CHECK (type IN ('facebook_page', 'instagram_business', 'youtube_channel', 'tiktok_account')),
    external_id      text NOT NULL,
    name             text,
    status           text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'removed')),
    access_token_enc text,
    parent_external_id text,
    metadata         jsonb NOT NULL DEFAULT '{}',
    removed_at       timestamptz,
    last_synced_at   timestamptz,
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    FOREIGN KEY (org_id, integration_id) REFERENCES integrations (org_id, id) ON DELETE CASCADE,
    UNIQUE (org_id, integration_id, type, external_id)
);
CREATE INDEX channels_by_external_id ON channels (platform, external_id);

CREATE TABLE ad_accounts (
    id                  uuid PRIMARY KEY,
    org_id              uuid NOT NULL,
    integration_id      uuid NOT NULL,
    platform            text NOT NULL,
    external_id         text NOT NULL,
    name                text,
    currency            text,
    timezone            text,
    status              text NOT NULL DEFAULT 'active',
    platform_status     text,
    is_manager          boolean NOT NULL DEFAULT false,
    manager_external_id text,
    metadata            jsonb NOT NULL DEFAULT '{}',
    removed_at          timestamptz,
    last_synced_at      timestamptz,
    created_at          timestamptz NOT NULL DEFAULT now(),
    updated_at          timestamptz NOT NULL DEFAULT now(),
    FOREIGN KEY (org_id, integration_id) REFERENCES integrations (org_id, id) ON DELETE CASCADE,
    UNIQUE (org_id, integration_id, external_id)
);
CREATE INDEX ad_accounts_by_external_id ON ad_accounts (platform, external_id);

-- The durable webhook inbox, dedupe record and dead-letter queue in one. org_id is set once routed.
CREATE TABLE webhook_events (
    id              uuid PRIMARY KEY,
    org_id          uuid,
    platform        text NOT NULL,
    event_key       text NOT NULL,
    event_type      text,
    payload         jsonb NOT NULL,
    status          text NOT NULL DEFAULT 'queued'
                    CHECK (status IN ('queued', 'processing', 'processed', 'retrying', 'dead')),
    routed          boolean NOT NULL DEFAULT false,
    unmatched       boolean NOT NULL DEFAULT false,
    attempts        integer NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    claimed_by      text,
    claimed_until   timestamptz,
    last_error      text,
    received_at     timestamptz NOT NULL DEFAULT now(),
    processed_at    timestamptz,
    UNIQUE (platform, event_key)
);
-- Workers claim due events with SKIP LOCKED; expired claims are found the same way.
CREATE INDEX webhook_events_due ON webhook_events (next_attempt_at) WHERE status IN ('queued', 'retrying');
CREATE INDEX webhook_events_claimed ON webhook_events (claimed_until) WHERE status = 'processing';
CREATE INDEX webhook_events_by_status ON webhook_events (status, received_at);

-- Every outbound platform call: never a token or a URL with its query.
CREATE TABLE platform_api_calls (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    org_id         uuid,
    integration_id uuid,
    platform       text NOT NULL,
    method         text NOT NULL,
    endpoint       text NOT NULL,
    status_code    integer,
    outcome        text NOT NULL,
    error_code     text,
    duration_ms    integer NOT NULL,
    called_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX platform_api_calls_by_time ON platform_api_calls (called_at);
CREATE INDEX platform_api_calls_by_platform ON platform_api_calls (platform, called_at);

-- Shared breaker state per platform, so one one-shot run sees what the previous one learned.
CREATE TABLE circuit_breakers (
    platform        text PRIMARY KEY,
    state           text NOT NULL DEFAULT 'closed' CHECK (state IN ('closed', 'open', 'half_open')),
    failure_count   integer NOT NULL DEFAULT 0,
    success_count   integer NOT NULL DEFAULT 0,
    opened_at       timestamptz,
    wait_seconds    integer NOT NULL DEFAULT 60,
    last_failure    text,
    updated_at      timestamptz NOT NULL DEFAULT now()
);

-- What each platform said about its limits, per scope (app, ad account, ...).
CREATE TABLE rate_limits (
    platform      text NOT NULL,
    scope         text NOT NULL,
    usage_pct     numeric(5, 2),
    limited_until timestamptz,
    detail        text,
    updated_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (platform, scope)
);

-- Outbox of alerts. org_id is NULL for system-wide alerts (health changes, breakers).
CREATE TABLE notifications (
    id              uuid PRIMARY KEY,
    org_id          uuid,
    kind            text NOT NULL,
    dedupe_key      text NOT NULL,
    message         text NOT NULL,
    status          text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'failed')),
    attempts        integer NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    last_error      text,
    created_at      timestamptz NOT NULL DEFAULT now(),
    delivered_at    timestamptz,
    UNIQUE (dedupe_key)
);
CREATE INDEX notifications_pending ON notifications (next_attempt_at) WHERE status = 'pending';

CREATE TABLE sync_runs (
    id               uuid PRIMARY KEY,
    org_id           uuid NOT NULL,
    integration_id   uuid NOT NULL,
    started_at       timestamptz NOT NULL,
    finished_at      timestamptz,
    outcome          text,
    channels_seen    integer NOT NULL DEFAULT 0,
    channels_removed integer NOT NULL DEFAULT 0,
    ad_accounts_seen integer NOT NULL DEFAULT 0,
    ad_accounts_removed integer NOT NULL DEFAULT 0,
    error            text,
    FOREIGN KEY (org_id, integration_id) REFERENCES integrations (org_id, id) ON DELETE CASCADE
);
CREATE INDEX sync_runs_recent ON sync_runs (integration_id, started_at DESC);

-- Last evaluated health, for alert dedupe and the dashboard.
CREATE TABLE health_state (
    component     text PRIMARY KEY,
    status        text NOT NULL,
    detail        jsonb NOT NULL DEFAULT '{}',
    changed_at    timestamptz NOT NULL DEFAULT now(),
    last_alert_at timestamptz
);

-- Tenant isolation: enabled and forced (the owner is held to it too), one policy per role.
DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['integrations', 'oauth_states', 'channels', 'ad_accounts', 'webhook_events',
                             'platform_api_calls', 'notifications', 'sync_runs']
    LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY tenant_isolation ON %I TO cmis_tenant '
                       'USING (org_id = current_org()) WITH CHECK (org_id = current_org())', t);
        -- Only an explicit SET ROLE opens the system path: a member that merely inherits
        -- cmis_system (the owner, say) does not see every org.
        EXECUTE format('CREATE POLICY system_path ON %I TO cmis_system '
                       'USING (current_user = ''cmis_system'') WITH CHECK (current_user = ''cmis_system'')', t);
    END LOOP;
END
$$;

GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA ${flyway:defaultSchema} TO cmis_tenant, cmis_system;
GRANT USAGE ON ALL SEQUENCES IN SCHEMA ${flyway:defaultSchema} TO cmis_tenant, cmis_system;
ALTER DEFAULT PRIVILEGES IN SCHEMA ${flyway:defaultSchema}
    GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO cmis_tenant, cmis_system;
ALTER DEFAULT PRIVILEGES IN SCHEMA ${flyway:defaultSchema}
    GRANT USAGE ON SEQUENCES TO cmis_tenant, cmis_system;
