package io.cmis.platform.connect;

import java.net.URI;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * The way back to the application after serve's callback: the flow's return_to with {@code state}
 * (the flow's id, which the application kept in its user's session) and the outcome. The error
 * codes are stable: {@code access_denied} (the user declined), {@code expired} (the flow ran out
 * before the platform sent the user back), {@code failed} (anything else; serve's log says what).
 */
final class AppReturn {
    static final String ACCESS_DENIED = "access_denied";
    static final String EXPIRED = "expired";
    static final String FAILED = "failed";

    private AppReturn() {
    }

    static Optional<URI> connected(ReturnUrls allowed, PendingConnect flow, UUID integrationId) {
        Map<String, String> added = new LinkedHashMap<>();
        added.put("state", flow.id().toString());
        added.put("integration_id", integrationId.toString());
        added.put("status", "connected");
        return to(allowed, flow, added);
    }

    static Optional<URI> failed(ReturnUrls allowed, PendingConnect flow, Instant now, Optional<String> platformError) {
        Map<String, String> added = new LinkedHashMap<>();
        added.put("state", flow.id().toString());
        added.put("error", code(flow, now, platformError));
        return to(allowed, flow, added);
    }

    private static String code(PendingConnect flow, Instant now, Optional<String> platformError) {
        if (platformError.isPresent()) {
            // OAuth 2's refusal, and OAuth 1.0a's (X sends denied=<request token>); any other platform error failed.
            return platformError.get().equals("access_denied") || platformError.get().equals("denied")
                    ? ACCESS_DENIED : FAILED;
        }
        return now.isBefore(flow.expiresAt()) ? FAILED : EXPIRED;
    }

    /** Checked again: connect.return-urls may have lost the entry since the flow started. */
    private static Optional<URI> to(ReturnUrls allowed, PendingConnect flow, Map<String, String> added) {
        return Optional.ofNullable(flow.returnTo()).filter(allowed::allows).map(r -> ReturnUrls.withResult(r, added));
    }
}
