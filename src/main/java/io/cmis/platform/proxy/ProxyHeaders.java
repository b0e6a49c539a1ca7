package io.cmis.platform.proxy;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * What crosses the proxy in headers, both ways, by allow-list: everything not named here stays behind.
 * Towards the platform: content negotiation, conditional requests, idempotency keys and the few
 * platform headers an application sets itself (never the caller's Authorization, cookies, hop-by-hop
 * headers, Host or X-Forwarded-*: they are simply not on the list). Back to the application: the
 * content type, the platform's rate-limit and usage headers and its request ids. A value with a control
 * character (CR/LF: header injection) is refused towards the platform and dropped on the way back.
 */
public final class ProxyHeaders {
    /** Request headers passed on (lower case). Content-Type goes with the body. */
    static final Set<String> REQUEST = Set.of("accept", "accept-language", "if-none-match", "if-match",
            "if-modified-since", "if-unmodified-since", "idempotency-key", "x-idempotency-key", "prefer",
            // LinkedIn's Rest.li method (PARTIAL_UPDATE, BATCH_GET ...); Google Ads' manager account for a call.
            "x-restli-method", "login-customer-id", "linked-customer-id");
    /** Response headers passed back (lower case), besides those starting with {@link #RESPONSE_PREFIXES}. */
    static final Set<String> RESPONSE = Set.of("content-type", "content-language", "etag", "last-modified",
            "retry-after", "x-app-usage", "x-business-use-case-usage", "x-ad-account-usage",
            "x-fb-ads-insights-throttle", "x-fb-trace-id", "x-fb-request-id", "x-fb-rev", "x-request-id", "request-id",
            "x-goog-request-id", "x-tt-logid", "x-transaction-id", "x-response-time");
    static final List<String> RESPONSE_PREFIXES = List.of("x-rate-limit-", "x-ratelimit-", "ratelimit-",
            "x-account-rate-limit-", "x-li-", "x-restli-");

    private ProxyHeaders() {
    }

    /** The caller's headers to pass on; a value with a control character refuses the call (400). */
    public static Map<String, String> toPlatform(Map<String, String> caller) {
        Map<String, String> out = new LinkedHashMap<>();
        caller.forEach((name, value) -> {
            String lower = name.toLowerCase(Locale.ROOT);
            if (REQUEST.contains(lower)) {
                if (!clean(value)) {
                    throw ProxyRefusedException.of(400, "invalid_request", "the header " + lower
                            + " holds a control character (CR/LF); it is not passed on");
                }
                out.put(lower, value);
            }
        });
        return out;
    }

    /** The platform's headers to answer with (multiple values joined by ", "); content-type excluded. */
    public static Map<String, String> fromPlatform(Map<String, List<String>> platform) {
        Map<String, String> out = new LinkedHashMap<>();
        platform.forEach((name, values) -> {
            String lower = name.toLowerCase(Locale.ROOT);
            if (lower.equals("content-type") || values == null || values.isEmpty()) {
                return;
            }
            if (RESPONSE.contains(lower) || RESPONSE_PREFIXES.stream().anyMatch(lower::startsWith)) {
                String value = String.join(", ", values);
                if (clean(value)) {
                    out.put(lower, value);
                }
            }
        });
        return out;
    }

    /** No control character (CR, LF, NUL ...); tabs are allowed inside a value. */
    static boolean clean(String value) {
        return value.chars().noneMatch(c -> (c < 0x20 && c != '\t') || c == 0x7f);
    }
}
