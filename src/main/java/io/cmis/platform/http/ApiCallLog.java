package io.cmis.platform.http;

import io.cmis.platform.store.DatabaseOutage;
import io.cmis.platform.tenancy.Tenancy;
import org.jdbi.v3.core.statement.PreparedBatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Timestamp;
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

    private void write(List<ApiCall> calls) {
        if (calls.isEmpty()) {
            return;
        }
        try {
            tenancy.systemWide("write the API call log", h -> {
                PreparedBatch batch = h.prepareBatch("""
                        INSERT INTO platform_api_calls (org_id, integration_id, platform, method, endpoint,
                                                        status_code, outcome, error_code, duration_ms, called_at)
                        VALUES (:orgId, :integrationId, :platform, :method, :endpoint,
                                :statusCode, :outcome, :errorCode, :durationMillis, :calledAt)
                        """);
                for (ApiCall c : calls) {
                    batch.bind("orgId", c.orgId()).bind("integrationId", c.integrationId())
                            .bind("platform", c.platform()).bind("method", c.method()).bind("endpoint", c.endpoint())
                            .bind("statusCode", c.statusCode()).bind("outcome", c.outcome())
                            .bind("errorCode", c.errorCode()).bind("durationMillis", (int) Math.min(Integer.MAX_VALUE, c.durationMillis()))
                            .bind("calledAt", Timestamp.from(c.calledAt())).add();
                }
                return batch.execute();
            });
        } catch (RuntimeException e) {
            // The log is evidence, not the work: losing a batch must not fail the calls it describes.
            log.warn("could not write {} API call log rows: {}", calls.size(), DatabaseOutage.describe(e));
        }
    }
}
