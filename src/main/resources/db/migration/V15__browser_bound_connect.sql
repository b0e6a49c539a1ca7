-- A connect flow started for a browser (connect start --browser) begins as a one-time start link:
-- start_hash is the SHA-256 of the link's token, and the state does not exist yet (state_hash is
-- null until the browser opens the link). Opening it makes the state and binds the flow to that
-- browser: browser_hash is the SHA-256 of the value of a cookie only that browser holds, and serve's
-- callback completes the flow only when the cookie it receives hashes to it. A flow without
-- browser_hash was started on the command line: only connect complete finishes it.
ALTER TABLE oauth_states ALTER COLUMN state_hash DROP NOT NULL;
ALTER TABLE oauth_states ADD COLUMN start_hash text UNIQUE;
ALTER TABLE oauth_states ADD COLUMN browser_hash text;
ALTER TABLE oauth_states ADD COLUMN started_at timestamptz;
ALTER TABLE oauth_states ADD CONSTRAINT oauth_states_state_or_start_link
    CHECK (state_hash IS NOT NULL OR start_hash IS NOT NULL);
