-- A revocation older than the integration's latest connect must never revoke it (a captured revoke
-- replayed after its dedupe record was pruned, or one delivered late after a reconnect). So: when
-- the integration was last connected, and when each event happened by its platform's signed time.

ALTER TABLE integrations ADD COLUMN connected_at timestamptz;
-- Existing rows: a reconnect rewrote the row, so its last write is the latest time a connect may
-- have happened. Erring late means a revocation signed before it revokes nothing; the integration's
-- next call then finds the token dead and asks for re-auth, which loses nothing.
-- The owner running this is subject to the forced row-level security like everyone else; it is
-- lifted for this one statement, inside the migration's transaction, and forced again.
ALTER TABLE integrations NO FORCE ROW LEVEL SECURITY;
UPDATE integrations SET connected_at = greatest(created_at, updated_at);
ALTER TABLE integrations FORCE ROW LEVEL SECURITY;
ALTER TABLE integrations ALTER COLUMN connected_at SET DEFAULT now(),
                         ALTER COLUMN connected_at SET NOT NULL;

-- Null where the platform signs no time for the event: its received_at stands in.
ALTER TABLE webhook_events ADD COLUMN occurred_at timestamptz;
