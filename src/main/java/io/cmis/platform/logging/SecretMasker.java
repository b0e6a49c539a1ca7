package io.cmis.platform.logging;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Masks anything that looks like a platform credential in text about to be written out: Meta user and
 * page tokens ({@code EAA…}), Google access and refresh tokens ({@code ya29.…}, {@code 1//…}), TikTok
 * tokens ({@code act.…}, {@code rft.…}), LinkedIn access and refresh tokens ({@code AQV…}, {@code AQX…}),
 * bearer headers, and secret-named query, form and JSON fields.
 * It is the last line of defence, applied to every log line and error message, including exception text.
 */
public final class SecretMasker {
    private static final String MASK = "****";

    private record Rule(Pattern pattern, String replacement) {
    }

    private static final List<Rule> RULES = List.of(
            new Rule(Pattern.compile("(?i)\\b(Bearer|OAuth)\\s+[A-Za-z0-9._~+/=-]{6,}"), "$1 " + MASK),
            new Rule(Pattern.compile("(?i)\\b(Access-Token\\s*[:=]\\s*)[A-Za-z0-9._~+/=-]{6,}"), "$1" + MASK),
            new Rule(Pattern.compile("\\bEAA[A-Za-z0-9]{8,}"), "EAA" + MASK),
            new Rule(Pattern.compile("\\bya29\\.[A-Za-z0-9_.-]{8,}"), "ya29." + MASK),
            new Rule(Pattern.compile("(?<![\\w/])1//0[A-Za-z0-9_-]{8,}"), "1//" + MASK),
            new Rule(Pattern.compile("\\b(act|rft|clt)\\.[A-Za-z0-9_.-]{8,}"), "$1." + MASK),
            new Rule(Pattern.compile("\\b(AQ[VX])[A-Za-z0-9_-]{16,}"), "$1" + MASK),
            new Rule(Pattern.compile("(?i)\\b(access_token|refresh_token|client_secret|fb_exchange_token|input_token"
                    + "|auth_code|app_secret|secret|password|code_verifier|appsecret_proof)=[^&\\s\"',;]+"), "$1=" + MASK),
            new Rule(Pattern.compile("([?&])code=[^&\\s\"',;]+"), "$1code=" + MASK),
            new Rule(Pattern.compile("(?i)\"(access_token|refresh_token|client_secret|secret|auth_code|code"
                    + "|password|code_verifier|id_token)\"(\\s*:\\s*)\"[^\"]*\""), "\"$1\"$2\"" + MASK + "\""));

    private SecretMasker() {
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
