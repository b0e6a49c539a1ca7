package io.cmis.platform.sandbox;

import io.cmis.platform.crypto.Secret;
import io.cmis.platform.platforms.x.OAuth1Request;
import io.cmis.platform.platforms.x.OAuth1Signer;
import io.cmis.platform.platforms.x.OAuth1Verifier;

import java.net.URI;
import java.time.Clock;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * The X simulator's gate: every request's OAuth 1.0a signature recomputed with {@link OAuth1Verifier}
 * (stale timestamps and reused nonces refused), after checking that query and form body are encoded
 * as RFC 3986 demands: no {@code +} for a space, no lower-case hex, no raw {@code : , *}.
 */
final class XSignatureCheck {
    private static final Pattern LOWER_HEX = Pattern.compile("%(?:[0-9a-f][a-f]|[a-f][0-9a-f])");
    private static final Pattern NOT_UNRESERVED = Pattern.compile("[^A-Za-z0-9\\-._~%=&]");
    static final OAuth1Signer.Consumer APP = new OAuth1Signer.Consumer(XSimulator.CONSUMER_KEY,
            Secret.of(XSimulator.CONSUMER_SECRET));

    private final OAuth1Verifier verifier;
    private final String baseUrl;
    private volatile OAuth1Verifier.Outcome lastRefusal;

    XSignatureCheck(Clock clock, String baseUrl) {
        this.verifier = OAuth1Verifier.ofDefaults(clock);
        this.baseUrl = baseUrl;
    }

    /** The verdict, or a refusal when the encoding alone is already wrong. */
    OAuth1Verifier.Verdict check(Simulator.Request r, Function<String, Optional<Secret>> tokenSecrets) {
        if (badlyEncoded(r.rawQuery()) || isForm(r) && badlyEncoded(r.body())) {
            lastRefusal = OAuth1Verifier.Outcome.MALFORMED;
            return new OAuth1Verifier.Verdict(OAuth1Verifier.Outcome.MALFORMED, java.util.Map.of());
        }
        URI url = URI.create(baseUrl + r.path() + (r.rawQuery() == null ? "" : "?" + r.rawQuery()));
        OAuth1Request request = new OAuth1Request(r.method(), url, r.header("content-type"), r.body());
        OAuth1Verifier.Verdict verdict = verifier.verify(request, Optional.ofNullable(r.header("authorization"))
                .orElse(""), APP, tokenSecrets);
        if (!verdict.valid()) {
            lastRefusal = verdict.outcome();
        }
        return verdict;
    }

    /** Why the latest request was refused, for tests. */
    Optional<OAuth1Verifier.Outcome> lastRefusal() {
        return Optional.ofNullable(lastRefusal);
    }

    private static boolean isForm(Simulator.Request r) {
        String type = r.header("content-type");
        return type != null && type.startsWith("application/x-www-form-urlencoded");
    }

    static boolean badlyEncoded(String raw) {
        return raw != null && (raw.contains("+") || LOWER_HEX.matcher(raw).find()
                || NOT_UNRESERVED.matcher(raw).find());
    }
}
