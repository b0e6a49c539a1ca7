package io.cmis.platform.http;

import io.cmis.platform.store.DatabaseOutage;
import io.cmis.platform.tenancy.Tenancy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * The record of every outbound call, written in batches (one transaction per {@value #BATCH}
 * calls, and on close) rather than one per call. Holds the endpoint template, never a URL.
 */
public final class ApiCallLog implements AutoCloseable {
    static final int BATCH = 100;
    private static final Logger log = LoggerFactory.getLogger(ApiCallLog.class);

    /** One call. {@code outcome}: success, transient, permanent, token, rate_limited, circuit_open. */
    public record ApiCall(UUID orgId, UUID integrationId, String platform, String method, String endpoint,
                          Integer statusCode, String outcome, String errorCode, long durationMillis, Instant calledAt) {
    }

    private final Tenancy tenancy;
    private final List<ApiCall> pending = new ArrayList<>();
    private volatile java.util.function.Consumer<ApiCall> observer = call -> { };

    public ApiCallLog(Tenancy tenancy) {
        this.tenancy = tenancy;
    }

    /** Also hands every call to {@code observer} (serve's latency histogram), on the calling thread. */
    public void observe(java.util.function.Consumer<ApiCall> observer) {
        this.observer = observer;
    }

    public void record(ApiCall call) {
        observer.accept(call);
        List<ApiCall> toWrite = null;
        synchronized (pending) {
            pending.add(call);
            if (pending.size() >= BATCH) {
                toWrite = drain();
            }
        }
        if (toWrite != null) {
            write(toWrite);
        }
    }

    public void flush() {
        List<ApiCall> toWrite;
        synchronized (pending) {
            toWrite = drain();
        }
        write(toWrite);
    }

    @Override
    public void close() {
        flush();
    }

    private List<ApiCall> drain() {
        List<ApiCall> copy = new ArrayList<>(pending);
        pending.clear();
        return copy;
    }

    private static final String INSERT = """
            INSERT INTO platform_api_calls (org_id, integration_id, platform, method, endpoint,
                                            status_code, outcome, error_code, duration_ms, called_at)
            SELECT * FROM unnest(?::uuid[], ?::uuid[], ?::text[], ?::text[], ?::text[],
                                 ?::int4[], ?::text[], ?::text[], ?::int4[], ?::text[]::timestamptz[])
            """;

    private void write(List<ApiCall> calls) {
        if (calls.isEmpty()) {
            return;
        }
        try {
            tenancy.systemWide("write the API call log", h -> {
                // One statement for the batch: the rollup trigger then runs once per batch, not per call.
                java.sql.Connection c = h.getConnection();
                int n = calls.size();
                Object[] orgs = new Object[n], integrations = new Object[n], statuses = new Object[n];
                Object[] platforms = new Object[n], methods = new Object[n], endpoints = new Object[n];
                Object[] outcomes = new Object[n], errors = new Object[n], durations = new Object[n], at = new Object[n];
                for (int i = 0; i < n; i++) {
                    ApiCall call = calls.get(i);
                    orgs[i] = call.orgId();
                    integrations[i] = call.integrationId();
                    platforms[i] = call.platform();
                    methods[i] = call.method();
                    endpoints[i] = call.endpoint();
                    statuses[i] = call.statusCode();
                    outcomes[i] = call.outcome();
                    errors[i] = call.errorCode();
                    durations[i] = (int) Math.min(Integer.MAX_VALUE, call.durationMillis());
                    at[i] = call.calledAt().toString(); // ISO-8601 in UTC: no zone of the JVM's in between
                }
                try (java.sql.PreparedStatement insert = c.prepareStatement(INSERT)) {
                    insert.setArray(1, c.createArrayOf("uuid", orgs));
                    insert.setArray(2, c.createArrayOf("uuid", integrations));
                    insert.setArray(3, c.createArrayOf("text", platforms));
                    insert.setArray(4, c.createArrayOf("text", methods));
                    insert.setArray(5, c.createArrayOf("text", endpoints));
                    insert.setArray(6, c.createArrayOf("int4", statuses));
                    insert.setArray(7, c.createArrayOf("text", outcomes));
                    insert.setArray(8, c.createArrayOf("text", errors));
                    insert.setArray(9, c.createArrayOf("int4", durations));
                    insert.setArray(10, c.createArrayOf("text", at));
                    return insert.executeUpdate();
                } catch (java.sql.SQLException e) {
                    throw new org.jdbi.v3.core.statement.UnableToExecuteStatementException(e, null);
                }
            });
        } catch (RuntimeException e) {
            // The log is evidence, not the work: losing a batch must not fail the calls it describes.
            log.warn("could not write {} API call log rows: {}", calls.size(), DatabaseOutage.describe(e));
        }
    }
}
