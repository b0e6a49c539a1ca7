-- How many times in a row a scope was limited: where a platform does not say how long to wait
-- (TikTok's per-endpoint QPS and QPM limits), the wait starts short and doubles while it repeats.
ALTER TABLE rate_limits ADD COLUMN strikes integer NOT NULL DEFAULT 0;
-- health lists the scopes limited now.
CREATE INDEX rate_limits_limited ON rate_limits (platform, limited_until) WHERE limited_until IS NOT NULL;
