package io.cmis.platform.sandbox;

import io.cmis.platform.platforms.x.OAuth1Verifier;
import io.cmis.platform.sandbox.Simulator.Reply;

import java.util.List;
import java.util.Map;

/** X's error answers in its two envelopes: the Ads API's words and the older numeric codes. */
final class XReplies {
    private XReplies() {
    }

    static Reply ads(int status, String code, String message) {
        return Reply.json(status, Map.of("errors", List.of(Map.of("code", code, "message", message)),
                "request", Map.of("params", Map.of())));
    }

    static Reply legacy(int status, int code, String message) {
        return Reply.json(status, Map.of("errors", List.of(Map.of("code", code, "message", message))));
    }

    /** api.x.com's refusal of a signature: 135 for a stale timestamp, 32 for the rest. */
    static Reply unauthorizedLegacy(OAuth1Verifier.Outcome outcome) {
        return outcome == OAuth1Verifier.Outcome.STALE_TIMESTAMP
                ? legacy(401, 135, "Timestamp out of bounds.")
                : legacy(401, 32, "Could not authenticate you.");
    }

    static Reply html(int status) {
        return new Reply(status, Map.of("Content-Type", "text/html; charset=utf-8"),
                "<!DOCTYPE html><html><body><h1>Sorry, that page does not exist</h1></body></html>");
    }
}
