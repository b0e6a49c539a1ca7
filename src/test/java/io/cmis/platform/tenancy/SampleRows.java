package io.cmis.platform.tenancy;

import org.jdbi.v3.core.Handle;

import java.util.UUID;

/** One plausible row per tenant table, for isolation tests. */
final class SampleRows {
    private SampleRows() {
    }

    static void insertAll(Handle h, UUID org, UUID integration) {
        h.execute("""
                INSERT INTO oauth_states (id, org_id, platform, state_hash, redirect_uri, expires_at)
                VALUES (?, ?, 'meta', ?, 'https://app/cb', now() + interval '15 minutes')""",
                UUID.randomUUID(), org, UUID.randomUUID().toString());
        h.execute("""
                INSERT INTO channels (id, org_id, integration_id, platform, type, external_id, name)
                VALUES (?, ?, ?, 'meta', 'facebook_page', ?, 'Page')""",
                UUID.randomUUID(), org, integration, UUID.randomUUID().toString());
        h.execute("""
                INSERT INTO ad_accounts (id, org_id, integration_id, platform, external_id, name)
                VALUES (?, ?, ?, 'meta', ?, 'Ads')""",
                UUID.randomUUID(), org, integration, UUID.randomUUID().toString());
        h.execute("""
                INSERT INTO webhook_events (id, org_id, platform, event_key, payload, routed)
                VALUES (?, ?, 'meta', ?, '{}', true)""",
                UUID.randomUUID(), org, UUID.randomUUID().toString());
        h.execute("""
                INSERT INTO platform_api_calls (org_id, integration_id, platform, method, endpoint, outcome, duration_ms)
                VALUES (?, ?, 'meta', 'GET', '/me/accounts', 'success', 12)""", org, integration);
        h.execute("""
                INSERT INTO notifications (id, org_id, kind, dedupe_key, message)
                VALUES (?, ?, 'token_expiring', ?, 'reconnect')""",
                UUID.randomUUID(), org, UUID.randomUUID().toString());
        h.execute("""
                INSERT INTO sync_runs (id, org_id, integration_id, started_at)
                VALUES (?, ?, ?, now())""", UUID.randomUUID(), org, integration);
        h.execute("""
                INSERT INTO sync_leases (integration_id, org_id, holder, expires_at)
                VALUES (?, ?, 'sync:test', now() + interval '2 minutes')""", integration, org);
        h.execute("""
                INSERT INTO api_keys (id, org_id, name, prefix, key_hash, scopes, created_at, created_by)
                VALUES (?, ?, 'app', 'cmis_0000', ?, '{integrations:read}', now(), 'cli:test')""",
                UUID.randomUUID(), org, UUID.randomUUID().toString());
        h.execute("""
                INSERT INTO credential_reads (id, org_id, read_at, integration_id, reader, refreshed, outcome)
                VALUES (?, ?, now(), ?, 'api', false, 'served')""", UUID.randomUUID(), org, integration);
    }
}
