package io.cmis.platform.platforms.linkedin;

import com.fasterxml.jackson.databind.JsonNode;
import io.cmis.platform.http.GuardedHttpClient;
import io.cmis.platform.http.PlatformRequest;
import io.cmis.platform.platforms.CallContext;

import java.util.Map;
import java.util.function.Consumer;

/**
 * The versioned {@code /rest} API: the headers every call needs, the one repeat after a 500, and
 * LinkedIn's two ways of paging (finders with {@code start}/{@code count}, searches with
 * {@code pageToken}), each followed to its real end.
 */
final class LinkedInApi {
    static final String VERSION_HEADER = "LinkedIn-Version";
    static final String PROTOCOL_HEADER = "X-Restli-Protocol-Version";
    /** Without it LinkedIn speaks Rest.li 1.0, in which finders and {@code List(...)} do not parse. */
    static final String PROTOCOL = "2.0.0";
    static final int PAGE_SIZE = 100;
    /** A stop for a platform that keeps answering full pages: no account has this many. */
    static final int MAX_PAGES = 1_000;

    private final LinkedInSettings settings;
    private final GuardedHttpClient http;
    private final LinkedInClassifier classifier;

    LinkedInApi(LinkedInSettings settings, GuardedHttpClient http, LinkedInClassifier classifier) {
        this.settings = settings;
        this.http = http;
        this.classifier = classifier;
    }

    /** A GET of {@code endpoint} (also its name in logs) for the member of {@code context}. */
    PlatformRequest.Builder get(String endpoint, CallContext context) {
        return rest(PlatformRequest.get(LinkedInConnector.ID, settings.apiUrl(), endpoint), endpoint, context);
    }

    /**
     * A GET whose query holds Rest.li structure ({@code ids=List(...)}), written by the caller with
     * {@link RestLi} and kept out of the query encoder; {@code endpoint} names it in logs.
     */
    PlatformRequest.Builder getRestLi(String endpoint, String restLiQuery, CallContext context) {
        return rest(PlatformRequest.get(LinkedInConnector.ID, settings.apiUrl(), endpoint + "?" + restLiQuery)
                .label(endpoint), endpoint, context);
    }

    private PlatformRequest.Builder rest(PlatformRequest.Builder builder, String endpoint, CallContext context) {
        return authenticated(builder, context)
                .limitedBy(LinkedInThrottle.memberScope(context, endpoint))
                .context(context.orgId(), context.integrationId());
    }

    /** The headers every {@code /rest} call carries besides authentication: the version and Rest.li 2.0. */
    Map<String, String> headers() {
        Map<String, String> headers = new java.util.LinkedHashMap<>();
        headers.put(VERSION_HEADER, settings.apiVersion());
        headers.put(PROTOCOL_HEADER, PROTOCOL);
        return headers;
    }

    /** How every {@code /rest} call is authenticated, the connector's own and proxied ones: those headers and the bearer. */
    PlatformRequest.Builder authenticated(PlatformRequest.Builder builder, CallContext context) {
        headers().forEach(builder::header);
        return builder.bearer(context.accessToken());
    }

    /**
     * The endpoint a {@code /rest} path is counted under, as the connector's own calls name theirs:
     * {@code /rest/} and the resource, without keys, sub-resources or query
     * ({@code /adAccounts/123?x} and {@code /adAccounts?q=search} are both {@code /rest/adAccounts}).
     */
    static String resource(String path) {
        for (String segment : path.split("[?#]", 2)[0].split("/")) {
            String name = segment.split("[(;:]", 2)[0];
            if (!name.isEmpty()) {
                return "/rest/" + name;
            }
        }
        return "/rest";
    }

    /**
     * The answer to a request. LinkedIn answers 500 when it could not verify a token downstream, so
     * a first 500 is asked once more at once, and that second answer decides (a 401 is then a token
     * problem, another 500 an ordinary server error with the guarded path's retries).
     */
    JsonNode call(PlatformRequest request) {
        try {
            return http.execute(request, classifier).json();
        } catch (LinkedInClassifier.UnverifiedTokenException first) {
            return http.execute(request, classifier.afterUnverified()).json();
        }
    }

    /**
     * A finder paged by {@code start}/{@code count}. The end: {@code paging.total} reached where
     * LinkedIn gives it, else a page shorter than the count LinkedIn says it used (a server that
     * caps {@code count} lower than asked must not end the listing early).
     */
    void eachByStart(String endpoint, Map<String, String> query, CallContext context, Consumer<JsonNode> element) {
        int start = 0;
        for (int page = 0; page < MAX_PAGES; page++) {
            PlatformRequest.Builder request = get(endpoint, context);
            query.forEach(request::query);
            JsonNode answer = call(request.query("start", String.valueOf(start))
                    .query("count", String.valueOf(PAGE_SIZE)).build());
            JsonNode elements = answer.path("elements");
            elements.forEach(element);
            JsonNode paging = answer.path("paging");
            int count = paging.path("count").asInt(PAGE_SIZE);
            start += elements.size();
            boolean end = elements.isEmpty() || (paging.hasNonNull("total") ? start >= paging.path("total").asInt()
                    : elements.size() < Math.max(1, count));
            if (end) {
                return;
            }
        }
    }

    /**
     * A search paged by cursor: {@code metadata.nextPageToken} goes back as {@code pageToken}, and a
     * page without one is the last. {@code start} means nothing to these searches.
     */
    void eachByToken(String endpoint, Map<String, String> query, CallContext context, Consumer<JsonNode> element) {
        String token = null;
        for (int page = 0; page < MAX_PAGES; page++) {
            PlatformRequest.Builder request = get(endpoint, context);
            query.forEach(request::query);
            JsonNode answer = call(request.query("pageSize", String.valueOf(PAGE_SIZE)).query("pageToken", token)
                    .build());
            answer.path("elements").forEach(element);
            token = answer.path("metadata").path("nextPageToken").asText("");
            if (token.isEmpty()) {
                return;
            }
        }
    }
}
