package io.cmis.platform.api;

import org.jdbi.v3.core.Handle;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/** SQL of {@code credential_reads}: the insert runs in the reader's org; the counts through the system path. */
public final class CredentialReadRepository {
    private final Handle handle;

    public CredentialReadRepository(Handle handle) {
        this.handle = handle;
    }

    void insert(CredentialRead read) {
        handle.createUpdate("""
                        INSERT INTO credential_reads (id, org_id, read_at, integration_id, channel_id, api_key_id, reader,
                                                      refreshed, outcome)
                        VALUES (:id, :org, :readAt, :integration, :channel, :apiKey, :reader, :refreshed, :outcome)
                        """)
                .bind("id", read.id())
                .bind("org", read.orgId())
                .bind("readAt", Timestamp.from(read.readAt()))
                .bind("integration", read.integrationId())
                .bind("channel", read.channelId())
                .bind("apiKey", read.apiKeyId())
                .bind("reader", read.reader())
                .bind("refreshed", read.refreshed())
                .bind("outcome", read.outcome())
                .execute();
    }

    /** Reads since {@code since} across every org, by outcome (each outcome present), and the refreshes among them. */
    public Counts since(Instant since) {
        Map<String, Long> byOutcome = new LinkedHashMap<>();
        for (String outcome : new String[]{CredentialRead.SERVED, CredentialRead.NEEDS_REAUTH, CredentialRead.UNAVAILABLE}) {
            byOutcome.put(outcome, 0L);
        }
        long[] refreshed = {0};
        handle.createQuery("""
                        SELECT outcome, count(*) AS reads, count(*) FILTER (WHERE refreshed) AS refreshed
                        FROM credential_reads
                        WHERE read_at >= :since
                        GROUP BY outcome
                        """)
                .bind("since", Timestamp.from(since))
                .map((rs, ctx) -> {
                    byOutcome.put(rs.getString("outcome"), rs.getLong("reads"));
                    refreshed[0] += rs.getLong("refreshed");
                    return null;
                })
                .list();
        return new Counts(Map.copyOf(byOutcome), refreshed[0]);
    }

    /** Reads by outcome, and how many of them refreshed the token at the platform. */
    public record Counts(Map<String, Long> byOutcome, long refreshed) {
        public long total() {
            return byOutcome.values().stream().mapToLong(Long::longValue).sum();
        }
    }
}
