package io.cmis.platform.webhooks;

/** What intake answers: the HTTP status and a short JSON body. */
public record IntakeResult(int httpStatus, String status, int events, int stored, String detail) {
    static IntakeResult queued(int events, int stored) {
        return new IntakeResult(200, stored > 0 ? "queued" : "already_processed", events, stored, null);
    }

    static IntakeResult refused(int httpStatus, String status, String detail) {
        return new IntakeResult(httpStatus, status, 0, 0, detail);
    }

    public String json() {
        StringBuilder out = new StringBuilder("{\"status\":\"").append(status).append('"');
        if (httpStatus == 200) {
            out.append(",\"events\":").append(events).append(",\"stored\":").append(stored);
        } else if (detail != null) {
            out.append(",\"error\":").append(com.fasterxml.jackson.databind.node.TextNode.valueOf(detail).toString());
        }
        return out.append('}').toString();
    }
}
