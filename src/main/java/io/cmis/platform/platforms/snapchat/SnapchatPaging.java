package io.cmis.platform.platforms.snapchat;

import com.fasterxml.jackson.databind.JsonNode;
import io.cmis.platform.http.GuardedHttpClient;
import io.cmis.platform.http.PlatformRequest;
import io.cmis.platform.platforms.CallContext;

import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Follows {@code paging.next_link}, an absolute URL carrying {@code cursor} and {@code limit}, to
 * the last page (the one without it). The bearer token goes only to the host it was configured
 * for: a link to any other host (older docs showed one) is not followed, and the walk ends as
 * incomplete, never as "that was all".
 */
final class SnapchatPaging {
    /** Far beyond any real account: a platform bug handing out links forever must not loop forever. */
    static final int MAX_PAGES = 1000;

    /** The pages read, and why the walk stopped before the last one, if it did. */
    record Pages(List<JsonNode> bodies, Optional<String> incomplete) {
    }

    private final GuardedHttpClient http;
    private final SnapchatClassifier classifier;

    SnapchatPaging(GuardedHttpClient http, SnapchatClassifier classifier) {
        this.http = http;
        this.classifier = classifier;
    }

    Pages fetch(CallContext context, String baseUrl, String path, Map<String, String> query) {
        URI origin = URI.create(baseUrl);
        List<JsonNode> bodies = new ArrayList<>();
        Set<String> followed = new HashSet<>();
        String base = baseUrl;
        String nextPath = path;
        Map<String, String> nextQuery = query;
        while (true) {
            bodies.add(get(context, base, nextPath, path, nextQuery));
            Optional<String> link = SnapchatEnvelope.nextLink(bodies.get(bodies.size() - 1));
            if (link.isEmpty()) {
                return new Pages(bodies, Optional.empty());
            }
            if (bodies.size() >= MAX_PAGES) {
                return stop(bodies, "more than " + MAX_PAGES + " pages");
            }
            URI next;
            try {
                next = origin.resolve(link.get());
            } catch (IllegalArgumentException e) {
                return stop(bodies, "paging.next_link is not a URL");
            }
            if (!sameOrigin(origin, next)) {
                // The host only: the link's query holds a cursor, and messages never carry full URLs.
                return stop(bodies, "paging.next_link points at another host (" + next.getHost() + "); not followed");
            }
            if (!followed.add(next.toString())) {
                return stop(bodies, "paging.next_link repeats a page already read");
            }
            base = next.getScheme() + "://" + next.getRawAuthority();
            nextPath = next.getRawPath() == null || next.getRawPath().isEmpty() ? path : next.getRawPath();
            // The link's own parameters win; one it leaves out (with_ad_accounts, say) is still sent, so a
            // later page never comes back without the nested data the first one had.
            nextQuery = new LinkedHashMap<>(query);
            nextQuery.putAll(decode(next.getRawQuery()));
        }
    }

    private JsonNode get(CallContext context, String base, String path, String label, Map<String, String> query) {
        PlatformRequest.Builder request = SnapchatConnector.authenticated(
                        PlatformRequest.get(SnapchatConnector.ID, base, path).label(label), context)
                .context(context.orgId(), context.integrationId());
        query.forEach(request::query);
        return http.execute(request.build(), classifier).json();
    }

    private static Pages stop(List<JsonNode> bodies, String why) {
        return new Pages(bodies, Optional.of(why + " after " + bodies.size() + " page(s)"));
    }

    static boolean sameOrigin(URI configured, URI link) {
        return link.getScheme() != null && link.getHost() != null
                && configured.getScheme().equalsIgnoreCase(link.getScheme())
                && configured.getHost().toLowerCase(Locale.ROOT).equals(link.getHost().toLowerCase(Locale.ROOT))
                && port(configured) == port(link);
    }

    private static int port(URI uri) {
        if (uri.getPort() != -1) {
            return uri.getPort();
        }
        return "https".equalsIgnoreCase(uri.getScheme()) ? 443 : 80;
    }

    private static Map<String, String> decode(String rawQuery) {
        Map<String, String> out = new LinkedHashMap<>();
        if (rawQuery == null || rawQuery.isEmpty()) {
            return out;
        }
        for (String pair : rawQuery.split("&")) {
            int eq = pair.indexOf('=');
            String name = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            if (!name.isEmpty()) {
                out.put(name, eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
            }
        }
        return out;
    }
}
