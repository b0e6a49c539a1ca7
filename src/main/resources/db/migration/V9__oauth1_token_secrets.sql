-- OAuth 1.0a (X) has secrets that OAuth 2 does not: a request token's secret, kept with the connect
-- flow's state until the access-token leg, and the access token's own secret, which signs every call.
-- Both are encrypted like the other tokens (the columns are registered for key rotation).
ALTER TABLE oauth_states ADD COLUMN request_token_secret_enc text;
ALTER TABLE integrations ADD COLUMN token_secret_enc text;
