package io.cmis.platform.health;

import io.cmis.platform.crypto.TokenVault;
import io.cmis.platform.tokens.SecretInventory;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code secrets} component: how many stored secrets are not under the active key in the current
 * format. Above zero it is a warning, so nobody removes an old key from {@code encryption.keys} while
 * a secret still needs it (the integration would be lost for good).
 */
final class SecretsHealth {
    private SecretsHealth() {
    }

    static Map<String, Object> component(List<SecretInventory.Stale> stale, String activeKey) {
        long total = SecretInventory.total(stale);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("active_key", activeKey);
        out.put("format", TokenVault.VERSION);
        out.put("not_under_active_key", total);
        out.put("stale", stale.stream().map(s -> {
            Map<String, Object> item = new LinkedHashMap<>();
            item.put("table", s.table());
            item.put("column", s.column());
            item.put("format", s.format());
            item.put("key_id", s.keyId());
            item.put("count", s.count());
            return item;
        }).toList());
        out.put("health", total > 0 ? HealthStatus.WARNING : HealthStatus.HEALTHY);
        if (total > 0) {
            out.put("fix", total + " secret(s) are not under key '" + activeKey + "' (" + TokenVault.VERSION
                    + "): run 'cmis-platform tokens rotate-key' until it exits 0, and keep every old key in "
                    + "encryption.keys until this is 0");
        }
        return out;
    }
}
