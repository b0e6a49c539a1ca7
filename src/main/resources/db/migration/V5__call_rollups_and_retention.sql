-- The API-call log summarised per platform, endpoint template and outcome into five-minute buckets:
-- counts, the sum of durations and a latency histogram with fixed bounds (so a p95 can be read from
-- it). health, /metrics, /health/integrations and the dashboard read these instead of scanning a
-- day of raw calls on every evaluation; the raw log is kept only for api-calls.retention.
--
-- latency[i] counts calls whose duration_ms falls in bucket i of
--   [0,10) [10,25) [25,50) [50,100) [100,250) [250,500) [500,1000) [1000,2500) [2500,5000) [5000,10000) [10000,)
-- (the lower bounds below, as width_bucket numbers them: 0 for under 10 ms, 10 for 10 s or more;
-- stored at index + 1). The same bounds are in LatencyHistogram.java.
CREATE TABLE platform_call_rollups (
    bucket          timestamptz NOT NULL,
    platform        text NOT NULL,
    endpoint        text NOT NULL,
    outcome         text NOT NULL,
    calls           bigint NOT NULL,
    duration_ms_sum bigint NOT NULL,
    latency         bigint[] NOT NULL,
    PRIMARY KEY (platform, bucket, endpoint, outcome)
);
CREATE INDEX platform_call_rollups_by_bucket ON platform_call_rollups (bucket);

-- The histogram of some durations: counts per bucket, in bucket order, zeros included.
CREATE FUNCTION latency_histogram(durations integer[]) RETURNS bigint[]
    LANGUAGE sql IMMUTABLE AS $$
    SELECT array_agg(coalesce(n, 0) ORDER BY b)
    FROM generate_series(0, 10) AS b
    LEFT JOIN (SELECT width_bucket(d, ARRAY[10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000]) AS b, count(*) AS n
               FROM unnest(durations) AS d GROUP BY 1) AS counted USING (b)
$$;

-- Every statement that logs calls adds them to their buckets in the same transaction, however many
-- rows it carries (the call log writes a batch in one statement). Security definer: the rollups are
-- not tenant data, so no tenant or system role is granted them; only this function writes them.
CREATE FUNCTION roll_up_api_calls() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = ${flyway:defaultSchema}, pg_temp AS $$
BEGIN
    INSERT INTO platform_call_rollups AS r (bucket, platform, endpoint, outcome, calls, duration_ms_sum, latency)
    SELECT date_bin('5 minutes', called_at, TIMESTAMPTZ '2000-01-01 00:00:00+00'), platform, endpoint, outcome,
           count(*), sum(duration_ms), latency_histogram(array_agg(duration_ms))
    FROM added
    GROUP BY 1, 2, 3, 4
    -- One order for every writer, so two batches that share buckets lock them alike (no deadlock).
    ORDER BY 2, 1, 3, 4
    ON CONFLICT (platform, bucket, endpoint, outcome) DO UPDATE
    SET calls = r.calls + excluded.calls,
        duration_ms_sum = r.duration_ms_sum + excluded.duration_ms_sum,
        latency = ARRAY(SELECT x + y FROM unnest(r.latency, excluded.latency) WITH ORDINALITY AS u(x, y, i) ORDER BY i);
    RETURN NULL;
END
$$;

CREATE TRIGGER platform_api_calls_roll_up AFTER INSERT ON platform_api_calls
    REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION roll_up_api_calls();

-- The calls logged before this version, so health reads the same after the upgrade.
INSERT INTO platform_call_rollups (bucket, platform, endpoint, outcome, calls, duration_ms_sum, latency)
SELECT date_bin('5 minutes', called_at, TIMESTAMPTZ '2000-01-01 00:00:00+00'), platform, endpoint, outcome,
       count(*), sum(duration_ms), latency_histogram(array_agg(duration_ms))
FROM platform_api_calls
GROUP BY 1, 2, 3, 4;

-- What db prune looks rows up by.
CREATE INDEX sync_runs_finished ON sync_runs (finished_at) WHERE finished_at IS NOT NULL;
CREATE INDEX notifications_done ON notifications (created_at) WHERE status IN ('delivered', 'failed');

-- Platform-wide figures, not an org's: the system path reads and prunes them, tenants never see them
-- (the schema's default privileges would have granted them).
REVOKE ALL ON platform_call_rollups FROM cmis_tenant;
