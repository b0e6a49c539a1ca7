package io.cmis.platform.platforms.linkedin;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Rest.li 2.0 syntax as LinkedIn parses it. In a query string each value is percent-encoded
 * ({@code urn:li:organization:1} becomes {@code urn%3Ali%3Aorganization%3A1}) while the structure
 * around values, {@code List( , )} and {@code ( : )}, stays as written: LinkedIn answers 400 when the
 * structural characters are encoded too, which is what an ordinary query encoder does.
 */
final class RestLi {
    private RestLi() {
    }

    /** One value (an id, a URN) as it goes inside Rest.li structure. */
    static String value(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
    }

    /** {@code List(a,b,c)} with each value encoded. */
    static String list(List<String> values) {
        return values.stream().map(RestLi::value).collect(Collectors.joining(",", "List(", ")"));
    }

    /** The id at the end of a URN ({@code urn:li:organization:5550123} gives {@code 5550123}). */
    static String idOf(String urn) {
        return urn.substring(urn.lastIndexOf(':') + 1);
    }
}
