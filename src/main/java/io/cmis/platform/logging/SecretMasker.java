package io.cmis.platform.logging;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Masks anything that looks like a credential in text about to be written out. It is the last line of
 * defence, applied to every log line (text and JSON), error message and crash log, stack traces included.
 *
 * <p>Two kinds of rules. By shape: Meta tokens ({@code EAA…}) and codes ({@code AQ…}, as LinkedIn's
 * {@code AQV…}/{@code AQX…}/{@code AQT…}), Google access, refresh and authorization tokens ({@code ya29.},
 * {@code 1//}, {@code 4/0…}) and client secrets ({@code GOCSPX-…}), TikTok's {@code act./rft./clt.} and
 * 40-hex tokens, Snapchat's {@code 0.…} access tokens, X's {@code <user id>-…} tokens, JWTs (Google ID
 * tokens, Pub/Sub push tokens), Bearer/Basic/OAuth headers, and any long random-looking word (hex of 32 or
 * more, 40 or more letters and digits mixing cases, as X's 45-character secrets, PKCE verifiers and
 * our own states, or of one case with a digit, as base32 ids). By name: any query, form, header or JSON
 * field whose name ends in token, secret, verifier, signature, password or proof or is an API key, plus
 * {@code code} and {@code state}, serve's start {@code link} and its cookies ({@code cmis_admin},
 * {@code cmis_connect_…}); also URL-encoded inside a URL ({@code access_token%3D…%26}) and as
 * {@code name: value} (headers, YAML) when the value looks like a credential.
 *
 * <p>JSON logs escape {@code "} as {@code \"} and {@code /} as {@code \/}; every rule matches both the
 * plain and the escaped text, so masking after encoding holds for a secret quoted in a message.
 * Ordinary identifiers survive: UUIDs (hex in groups of at most 12), numeric ids, {@code act_…} ids.
 */
public final class SecretMasker {
    private static final String MASK = "****";
    /** A slash, or the {@code \/} JSON makes of it (once or more). */
    private static final String SLASH = "\\\\*/";
    /** One character of a token value, including a JSON-escaped slash (only ever repeated a bounded number of times). */
    private static final String TOKEN_CHAR = "(?:[A-Za-z0-9._~+=-]|" + SLASH + ")";
    /** The end of a field value in a query, a form body, a header or a Java map's toString. */
    private static final String VALUE_CHAR = "(?:[^&\\s\"',;\\\\]|\\\\+/)";
    /*
     * Unbounded runs are written as a lazy character class that stops where a lookahead says the value
     * ends, never as a repeated group: Java's engine recurses once per repetition of a group, so
     * "(a|b)+" over a long line overflows the stack, and a lazy class is a plain loop. "(?<!\\)" keeps a
     * run of backslashes from being split (it belongs to a "\/" inside the value, or ends it), and keeps
     * each position inside such a run constant-time, so every rule stays linear in the line.
     */
    /** Where a value stops: a separator, whitespace, a quote, or backslashes that are not an escaped slash. */
    private static final String VALUE_END = "(?<!\\\\)(?=[&\\s\"',;]|\\\\++(?!/)|\\z)";
    private static final String VALUE = "[^&\\s\"',;]+?" + VALUE_END;
    /** The same inside a URL-encoded URL: {@code %26} (or {@code %2526}) separates as {@code &} does. */
    private static final String ENCODED_VALUE = "[^&\\s\"',;]+?(?<!\\\\)(?=%(?:25)?26|[&\\s\"',;]|\\\\++(?!/)|\\z)";
    /** {@code =} URL-encoded once or twice. */
    private static final String ENCODED_EQUALS = "%(?:25)?3[Dd]";
    /** A token after Bearer/OAuth/Access-Token: its characters, JSON-escaped slashes included, as one loop. */
    private static final String TOKEN_RUN = "[A-Za-z0-9._~+=/\\\\-]+?(?<!\\\\)(?![A-Za-z0-9._~+=/-]|\\\\+/)";
    /** A JSON or header string value up to its closing quote, escaped or not. */
    private static final String QUOTED_CHAR = "(?:[^\"\\\\]|\\\\+/)";
    private static final String QUOTED = "[^\"]*?(?<!\\\\)\\\\*+\"";
    /** An opening quote followed by at least 12 characters: a code or state long enough to be one. */
    private static final String LONG_QUOTED = "=\\\\*\"" + QUOTED_CHAR + "{12}";
    /**
     * A field name that holds a secret: ends in token, secret, verifier, signature, password or proof
     * (a numbered variant too, as GitHub's X-Hub-Signature-256), or is an API key.
     */
    private static final String SECRET_NAME = "[\\w.-]*?(?:token|secret|verifier|signature|password|passwd|proof"
            + "|auth_code|api[_-]?key|encryption[._-]keys)(?:-\\d{1,4})?";
    /**
     * A value after {@code name:} (a header, YAML) only when it looks like a credential, so that
     * "refresh token: expired" stays: no spaces, and 8 or more characters mixing letters and digits, or
     * 20 or more of anything.
     */
    private static final String CREDENTIAL_CHAR = "[^\\s\"',;&]";
    private static final String CREDENTIAL = "(?=" + CREDENTIAL_CHAR + "{20}|(?=" + CREDENTIAL_CHAR + "*?[0-9])(?="
            + CREDENTIAL_CHAR + "*?[A-Za-z])" + CREDENTIAL_CHAR + "{8})";
    /**
     * Nothing of a name before: the start, a separator, a newline or tab JSON wrote as {@code \n},
     * {@code \t}, or an {@code =} or {@code &} URL-encoded (once or twice) inside a URL in a parameter.
     */
    private static final String ESCAPED_BREAK = "|(?<=\\\\[ntr])|(?<=%(?:25)?(?:3[Dd]|26))";
    private static final String NAME_START = "(?:(?<![\\w.-])" + ESCAPED_BREAK + ")";
    private static final String WORD_START = "(?:(?<!\\w)" + ESCAPED_BREAK + ")";
    /** A {@code "} as written plainly or escaped (once or more) inside a JSON string; the whole run of backslashes. */
    private static final String QUOTE = "((?<!\\\\)\\\\*\")";

    private record Rule(Pattern pattern, String replacement) {
    }

    private static final List<Rule> RULES = List.of(
            // Headers: Authorization (Bearer, Basic, Google's old "OAuth <token>"), TikTok's Access-Token.
            rule("(?i)" + WORD_START + "(Bearer)\\s+(?=" + TOKEN_CHAR + "{6})" + TOKEN_RUN, "$1 " + MASK),
            // Basic credentials are base64 of id:secret; "Basic authentication" is prose.
            rule("(?i)" + WORD_START + "(Basic)\\s+(?=[A-Za-z0-9+/=]*[0-9+/=])[A-Za-z0-9+/=]{12,}", "$1 " + MASK),
            rule("(?i)" + WORD_START + "(OAuth)\\s+(?![\\w.-]+\\s*=)(?=" + TOKEN_CHAR + "{20})" + TOKEN_RUN, "$1 " + MASK),
            rule("(?i)" + WORD_START + "(Access-Token\\s*[:=]\\s*)(?=" + TOKEN_CHAR + "{6})" + TOKEN_RUN, "$1" + MASK),
            // By name. JSON fields, plain or escaped: "access_token":"…" and \"access_token\":\"…\".
            rule("(?i)" + QUOTE + "(" + SECRET_NAME + ")\\\\*\"(\\s*:\\s*)\\\\*\"" + QUOTED,
                    "$1$2$1$3$1" + MASK + "$1"),
            rule(QUOTE + "(code|state)\\\\*\"(\\s*:\\s*)\\\\*\"(?![A-Z_]+\\\\*\")(?=" + QUOTED_CHAR + "{12})" + QUOTED,
                    "$1$2$1$3$1" + MASK + "$1"),
            // Authorization: OAuth oauth_token="…", oauth_signature="…" (X's OAuth 1.0a), plain or escaped.
            rule("(?i)" + NAME_START + "(" + SECRET_NAME + "|code(?=" + LONG_QUOTED + ")|state(?=" + LONG_QUOTED + "))="
                    + QUOTE + QUOTED, "$1=$2" + MASK + "$2"),
            // Query strings, form bodies, maps: access_token=…, oauth_token_secret=…, hub.verify_token=….
            rule("(?i)" + NAME_START + "(" + SECRET_NAME + ")=" + VALUE, "$1=" + MASK),
            // The same inside a URL-encoded URL (a redirect_uri, a next link): access_token%3D…%26…
            rule("(?i)" + NAME_START + "(" + SECRET_NAME + ")(" + ENCODED_EQUALS + ")" + ENCODED_VALUE, "$1$2" + MASK),
            rule("(?i)(%(?:25)?(?:3F|26))(code|state|link|(?:__Host-)?cmis_(?:admin|connect_\\w*))(" + ENCODED_EQUALS + ")"
                    + ENCODED_VALUE, "$1$2$3" + MASK),
            // Headers and YAML, name: value (x-api-key: …, client_secret: …), when the value looks like a credential.
            rule("(?i)" + NAME_START + "(" + SECRET_NAME + ")(\\s*:[ \\t]*)((?<!\\\\)\\\\*[\"'])?" + CREDENTIAL + VALUE,
                    "$1$2$3" + MASK),
            // A code or state after ? or &; elsewhere only a long one ("error code=190" is not a secret).
            rule("([?&])(code|state|link)=" + VALUE, "$1$2=" + MASK),
            // Our own cookies: the admin session and a connect flow's browser binding.
            rule(NAME_START + "((?:__Host-)?cmis_(?:admin|connect_\\w*))=" + VALUE, "$1=" + MASK),
            rule(NAME_START + "(code|state)=(?=" + VALUE_CHAR + "{12})" + VALUE, "$1=" + MASK),
            // By shape.
            rule(WORD_START + "eyJ[A-Za-z0-9_-]{6,}\\.[A-Za-z0-9_-]{6,}\\.[A-Za-z0-9_-]*", "eyJ" + MASK),
            rule(WORD_START + "EAA[A-Za-z0-9]{8,}", "EAA" + MASK),
            // Our own API keys: the id part stays (it names the key in api-keys list), the secret goes.
            rule("(?<![A-Za-z0-9])(cmis_[0-9a-f]{32}_)[A-Za-z0-9_-]{8,}", "$1" + MASK),
            rule(WORD_START + "ya29\\.[A-Za-z0-9_.-]{8,}", "ya29." + MASK),
            rule("(?:(?<![\\w/\\\\])" + ESCAPED_BREAK + ")1(" + SLASH + ")(" + SLASH + ")[A-Za-z0-9_-]{8,}", "1$1$2" + MASK),
            rule("(?:(?<![\\w/\\\\])" + ESCAPED_BREAK + ")4(" + SLASH + ")0[A-Za-z0-9_-]{8,}", "4$1" + MASK),
            rule(WORD_START + "GOCSPX-[A-Za-z0-9_-]{8,}", "GOCSPX-" + MASK),
            rule(WORD_START + "(act|rft|clt)\\.[A-Za-z0-9_.-]{8,}", "$1." + MASK),
            rule(WORD_START + "(AQ[A-Za-z0-9])[A-Za-z0-9_-]{14,}", "$1" + MASK),
            rule("(?:(?<![\\w.])" + ESCAPED_BREAK + ")0\\.(?=[A-Za-z0-9_+=-]*[a-z])[A-Za-z0-9_+=-]{16,}", "0." + MASK),
            rule(NAME_START + "(\\d{1,20})-[A-Za-z0-9]{16,}\\b", "$1-" + MASK),
            rule("(?<![0-9a-f])[0-9a-f]{32,}(?![0-9a-f])", MASK),
            rule("(?:(?<![\\w-])" + ESCAPED_BREAK + ")(?=[\\w-]*[A-Z])(?=[\\w-]*[a-z])(?=[\\w-]*[0-9])[A-Za-z0-9_-]{40,}(?![\\w-])", MASK),
            // 40 or more letters and digits of one case (base32, lower-case ids and tokens): a word has no
            // digit, a number no letter, a UUID or a snake_case name breaks into shorter runs.
            rule("(?:(?<![\\w-])" + ESCAPED_BREAK + ")(?=[A-Za-z0-9]*[0-9])(?=[A-Za-z0-9]*[A-Za-z])[A-Za-z0-9]{40,}(?![\\w-])", MASK));

    private SecretMasker() {
    }

    private static Rule rule(String regex, String replacement) {
        return new Rule(Pattern.compile(regex), replacement);
    }

    public static String mask(String text) {
        if (text == null || text.isEmpty()) {
            return text;
        }
        String out = text;
        for (Rule rule : RULES) {
            Matcher m = rule.pattern().matcher(out);
            if (m.find()) {
                out = m.replaceAll(rule.replacement());
            }
        }
        return out;
    }
}
