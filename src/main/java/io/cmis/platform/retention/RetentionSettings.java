package io.cmis.platform.retention;

import io.cmis.platform.config.AppConfig;
import io.cmis.platform.config.ConfigException;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/** How long each growing table keeps its rows: the {@code *.retention} keys, by table. */
public record RetentionSettings(Map<String, Duration> byKey) {
    /** The keys, in the order db prune works through them. */
    static final String[] KEYS = {"api-calls.retention", "api-call-rollups.retention", "sync-runs.retention",
            "alerts.retention", "oauth-states.retention", "webhooks.retention", "credential-reads.retention"};

    public static RetentionSettings from(AppConfig config) {
        Map<String, Duration> out = new LinkedHashMap<>();
        for (String key : KEYS) {
            Duration d = config.duration(key);
            if (d.isNegative() || d.isZero()) {
                throw new ConfigException(key + " must be positive (e.g. 7d)");
            }
            out.put(key, d);
        }
        return new RetentionSettings(Map.copyOf(out));
    }

    public Duration of(String key) {
        return byKey.get(key);
    }
}
