package io.cmis.platform.sandbox;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The LinkedIn simulator's reads, each paged its own way: finders by {@code start}/{@code count}
 * (a {@code pageToken} ignored), the ad-account search by {@code pageToken} only ({@code start}
 * ignored, so a client paging it by start never gets past the first page), batch lookups that only
 * parse in Rest.li 2.0's {@code List(...)}.
 */
final class LinkedInFinders {
    private final LinkedInData data;
    final List<Map<String, String>> searches = new CopyOnWriteArrayList<>();
    volatile boolean bareSearchListsAll = true;

    LinkedInFinders(LinkedInData data) {
        this.data = data;
    }

    /** A finder: {@code start}/{@code count} (default 10, at most 1000); a {@code pageToken} is ignored. */
    static Simulator.Reply startCount(Simulator.Request r, List<ObjectNode> all) {
        if (r.query().get("q") == null) {
            return LinkedInSimulator.error(400, "PARAM_INVALID", 0, "a finder needs q");
        }
        int start = Integer.parseInt(r.query().getOrDefault("start", "0"));
        int count = Integer.parseInt(r.query().getOrDefault("count", "10"));
        if (count > 1000) {
            return LinkedInSimulator.error(400, "PARAM_INVALID", 0, "count must not exceed 1000");
        }
        ObjectNode body = Simulator.JSON.createObjectNode();
        ArrayNode elements = body.putArray("elements");
        all.subList(Math.min(start, all.size()), Math.min(all.size(), start + count)).forEach(elements::add);
        body.putObject("paging").put("start", start).put("count", count).put("total", all.size()).putArray("links");
        return Simulator.Reply.json(200, body);
    }

    Simulator.Reply organizations(Simulator.Request r) {
        String ids = r.query().getOrDefault("ids", "");
        if (!ids.matches("List\\((\\d+(,\\d+)*)?\\)")) {
            return LinkedInSimulator.error(400, "PARAM_INVALID", 0, "ids must be List(...) in Rest.li 2.0 syntax");
        }
        String inner = ids.substring(5, ids.length() - 1);
        return Simulator.Reply.json(200, data.organizations(inner.isEmpty() ? List.of() : List.of(inner.split(","))));
    }

    /** The account search pages by {@code pageToken} only ({@code start} changes nothing), at most 100 a page. */
    Simulator.Reply search(Simulator.Request r) {
        searches.add(Map.copyOf(r.query()));
        if (!"search".equals(r.query().get("q"))) {
            return LinkedInSimulator.error(400, "PARAM_INVALID", 0, "adAccounts needs q=search");
        }
        int size = Integer.parseInt(r.query().getOrDefault("pageSize", "100"));
        if (size > 1000) {
            return LinkedInSimulator.error(400, "PARAM_INVALID", 0, "pageSize must not exceed 1000");
        }
        size = Math.min(size, 100);
        List<ObjectNode> all = bareSearchListsAll ? data.accounts() : List.of();
        String token = r.query().get("pageToken");
        int offset = token == null ? 0 : Integer.parseInt(new String(Base64.getUrlDecoder().decode(token),
                StandardCharsets.UTF_8));
        ObjectNode body = Simulator.JSON.createObjectNode();
        ArrayNode elements = body.putArray("elements");
        all.subList(Math.min(offset, all.size()), Math.min(all.size(), offset + size)).forEach(elements::add);
        ObjectNode metadata = body.putObject("metadata");
        if (offset + size < all.size()) {
            metadata.put("nextPageToken", Base64.getUrlEncoder().withoutPadding()
                    .encodeToString(String.valueOf(offset + size).getBytes(StandardCharsets.UTF_8)));
        }
        return Simulator.Reply.json(200, body);
    }

    Simulator.Reply account(Simulator.Request r) {
        long i = Long.parseLong(r.match().group(1)) - LinkedInData.FIRST_AD_ACCOUNT;
        return i >= 1 && i <= data.adAccounts ? Simulator.Reply.json(200, data.account((int) i))
                : LinkedInSimulator.error(404, "NOT_FOUND", 0, "Not found");
    }
}
