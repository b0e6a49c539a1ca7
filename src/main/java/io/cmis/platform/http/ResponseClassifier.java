package io.cmis.platform.http;

import io.cmis.platform.platforms.PlatformException;

import java.util.Optional;

/**
 * A platform's error rules, in one place per platform: what a response means. Empty means the
 * call succeeded (TikTok, for one, answers errors with HTTP 200, so status alone is not enough).
 */
public interface ResponseClassifier {
    Optional<PlatformException> classify(PlatformRequest request, PlatformResponse response);

    /** Usage the platform reported in its headers, per scope; none by default. */
    default java.util.List<Usage> usage(PlatformRequest request, PlatformResponse response) {
        return java.util.List.of();
    }

    /** How close a scope is to its limit, in percent of the platform's quota. */
    record Usage(String scope, double percent, String detail) {
    }
}
