package io.cmis.platform.proxy;

import java.util.Map;

/**
 * The platform's answer as it came: its status, body bytes and content type (null when it named none),
 * the headers of the allow-list, and the outcome the connector classified it as ({@code X-Cmis-Outcome}:
 * ok, rate_limited, reauth, transient, permanent).
 */
public record ProxyAnswer(int status, byte[] body, String contentType, Map<String, String> headers, String outcome) {
    public static final String OUTCOME_HEADER = "X-Cmis-Outcome";

    public boolean success() {
        return status >= 200 && status < 300;
    }
}
