package io.cmis.platform.connect;

import io.cmis.platform.config.ConfigException;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * {@code connect.return-urls}: where serve's callback may send a browser back to the application.
 * A {@code return_to} is allowed when its scheme, host and port are an entry's (compared as written,
 * lower case: RFC 9700 §4.1.3's exact matching, no normalizing that an attacker could steer) and its
 * path is the entry's or below it on a segment boundary ({@code /app} allows {@code /app/x}, never
 * {@code /application}). Whatever a browser or the application's router could read as another
 * place is refused outright: user information, a fragment, dot or empty segments, an encoded dot,
 * slash, backslash or percent sign, anything but printable ASCII. The query is the application's and is kept.
 */
public final class ReturnUrls {
    public static final String KEY = "connect.return-urls";
    static final int MAX_LENGTH = 2048;
    /** What serve adds to the query: a return_to carrying one of them already would be read two ways. */
    static final Set<String> ADDED = Set.of("state", "integration_id", "status", "error");
    private static final Pattern PRINTABLE_ASCII = Pattern.compile("[\\x21-\\x7e]+");
    /** An encoded dot, slash, backslash or percent: a server that decodes (twice) would read a traversal. */
    private static final Pattern ENCODED_SEPARATOR = Pattern.compile("%(2e|2f|5c|25)", Pattern.CASE_INSENSITIVE);

    private record Allowed(String scheme, String host, int port, String path) {
        boolean covers(URI uri) {
            return scheme.equals(uri.getScheme()) && host.equals(uri.getHost()) && port == ReturnUrls.port(uri)
                    && under(ReturnUrls.path(uri), path);
        }
    }

    private final List<Allowed> allowed;

    private ReturnUrls(List<Allowed> allowed) {
        this.allowed = List.copyOf(allowed);
    }

    /** Parses the setting (comma-separated URLs); a malformed entry is a configuration error naming it. */
    public static ReturnUrls parse(String setting) {
        List<Allowed> entries = new ArrayList<>();
        for (String entry : ConnectSettings.list(setting)) {
            URI uri = parseUri(entry).orElseThrow(() -> malformed(entry, "is not a URL"));
            Optional<String> problem = problem(entry, uri);
            if (problem.isEmpty() && uri.getRawQuery() != null) {
                problem = Optional.of("has a query (the application's query goes in each return_to)");
            }
            if (problem.isPresent()) {
                throw malformed(entry, problem.get());
            }
            entries.add(new Allowed(uri.getScheme(), uri.getHost(), port(uri), path(uri)));
        }
        return new ReturnUrls(entries);
    }

    /**
     * {@code returnTo} when it is allowed, else {@link ReturnToNotAllowedException} saying why. The
     * message never repeats the URL: it is the caller's input.
     */
    URI check(String returnTo) {
        if (allowed.isEmpty()) {
            throw new ReturnToNotAllowedException("return_to is not allowed: " + KEY + " is empty, so no return_to is");
        }
        if (returnTo.length() > MAX_LENGTH) {
            throw new ReturnToNotAllowedException("return_to is not allowed: it is over " + MAX_LENGTH + " characters");
        }
        URI uri = parseUri(returnTo).orElseThrow(() -> notAllowed("it is not a URL"));
        Optional<String> problem = problem(returnTo, uri).or(() -> queryProblem(uri));
        if (problem.isPresent()) {
            throw notAllowed(problem.get());
        }
        if (allowed.stream().noneMatch(a -> a.covers(uri))) {
            throw notAllowed("its scheme, host and port with its path are not one of " + KEY
                    + " (exact origin, path on a segment boundary)");
        }
        return uri;
    }

    /** Whether a stored return_to is still allowed (the setting may have changed since the flow started). */
    boolean allows(String returnTo) {
        try {
            check(returnTo);
            return true;
        } catch (ReturnToNotAllowedException e) {
            return false;
        }
    }

    /** {@code returnTo} with {@code added} appended to its query (form-encoded), the existing query kept. */
    static URI withResult(String returnTo, Map<String, String> added) {
        StringBuilder params = new StringBuilder();
        added.forEach((name, value) -> params.append(params.isEmpty() ? "" : "&")
                .append(URLEncoder.encode(name, StandardCharsets.UTF_8)).append('=')
                .append(URLEncoder.encode(value, StandardCharsets.UTF_8)));
        String query = URI.create(returnTo).getRawQuery();
        String separator = query == null ? "?" : query.isEmpty() ? "" : "&";
        return URI.create(returnTo + separator + params);
    }

    /** Why {@code text} (parsed as {@code uri}) can be neither an entry nor a return_to; empty when it can. */
    private static Optional<String> problem(String text, URI uri) {
        if (!PRINTABLE_ASCII.matcher(text).matches()) {
            return Optional.of("it has characters other than printable ASCII (spaces, controls, non-ASCII)");
        }
        if (!uri.isAbsolute() || uri.isOpaque() || !Set.of("http", "https").contains(uri.getScheme())) {
            return Optional.of("it is not an absolute http or https URL (scheme in lower case)");
        }
        if (uri.getRawUserInfo() != null) {
            return Optional.of("it has user information before the host (user@host)");
        }
        if (uri.getHost() == null || !uri.getHost().equals(uri.getHost().toLowerCase(Locale.ROOT))) {
            return Optional.of("it has no host name in lower case");
        }
        if (uri.getRawFragment() != null) {
            return Optional.of("it has a fragment (#...)");
        }
        String path = uri.getRawPath();
        if (ENCODED_SEPARATOR.matcher(path).find()) {
            return Optional.of("its path has an encoded dot, slash, backslash or percent sign");
        }
        String[] segments = path.isEmpty() ? new String[0] : path.substring(1).split("/", -1);
        for (int i = 0; i < segments.length; i++) {
            boolean last = i == segments.length - 1;
            // Without its ;parameters: some servers read "..;" as "..".
            String bare = segments[i].split(";", 2)[0];
            if ((segments[i].isEmpty() && !last) || bare.equals(".") || bare.equals("..")) {
                return Optional.of("its path has an empty, '.' or '..' segment");
            }
        }
        return Optional.empty();
    }

    private static Optional<String> queryProblem(URI uri) {
        if (uri.getRawQuery() == null) {
            return Optional.empty();
        }
        for (String pair : uri.getRawQuery().split("&")) {
            String name = pair.split("=", 2)[0];
            try {
                if (ADDED.contains(URLDecoder.decode(name, StandardCharsets.UTF_8))) {
                    return Optional.of("its query already has " + String.join(", ", ADDED.stream().sorted().toList())
                            + " or one of them, which serve adds");
                }
            } catch (IllegalArgumentException e) {
                return Optional.of("its query has a malformed %-escape");
            }
        }
        return Optional.empty();
    }

    private static boolean under(String path, String allowedPath) {
        if (allowedPath.endsWith("/")) {
            return path.startsWith(allowedPath);
        }
        return path.equals(allowedPath) || path.startsWith(allowedPath + "/");
    }

    private static Optional<URI> parseUri(String text) {
        try {
            return Optional.of(new URI(text));
        } catch (URISyntaxException e) {
            return Optional.empty();
        }
    }

    private static String path(URI uri) {
        return uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
    }

    private static int port(URI uri) {
        if (uri.getPort() != -1) {
            return uri.getPort();
        }
        return uri.getScheme().equals("https") ? 443 : 80;
    }

    private static ConfigException malformed(String entry, String why) {
        return new ConfigException(KEY + ": '" + entry + "' " + why.replaceFirst("^it ", "")
                + "; write absolute URLs such as https://app.example.com/connected, separated by commas");
    }

    private static ReturnToNotAllowedException notAllowed(String why) {
        return new ReturnToNotAllowedException("return_to is not allowed: " + why);
    }
}
