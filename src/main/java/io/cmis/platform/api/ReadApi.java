package io.cmis.platform.api;

import io.cmis.platform.integrations.IntegrationFilter;
import io.cmis.platform.integrations.IntegrationService;
import io.cmis.platform.integrations.IntegrationStatus;
import io.cmis.platform.platforms.ConnectorRegistry;
import io.cmis.platform.sync.SyncedData;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Function;

/**
 * {@code GET /integrations[/{id}]}, {@code /channels}, {@code /ad-accounts}: what the CLI's
 * {@code list --json} shows (the same fields, never a token), of the key's org only, in pages:
 * {@code {"data":[…],"next_cursor":…}}, the cursor being the last id of the page.
 */
final class ReadApi {
    static final int DEFAULT_LIMIT = 100;
    static final int MAX_LIMIT = 500;

    private final IntegrationService integrations;
    private final SyncedData synced;

    ReadApi(IntegrationService integrations, SyncedData synced) {
        this.integrations = integrations;
        this.synced = synced;
    }

    void mount(ApiRoutes routes) {
        routes.add("GET", "/integrations", ApiScope.INTEGRATIONS_READ, this::integrations)
                .add("GET", "/integrations/{id}", ApiScope.INTEGRATIONS_READ,
                        call -> ApiResponse.ok(integrations.show(call.caller().org(), call.id("id"))))
                .add("GET", "/channels", ApiScope.INTEGRATIONS_READ, call -> page(call,
                        (after, limit) -> synced.channelsPage(call.caller().org(), platform(call), after, limit),
                        c -> c.id()))
                .add("GET", "/ad-accounts", ApiScope.INTEGRATIONS_READ, call -> page(call,
                        (after, limit) -> synced.adAccountsPage(call.caller().org(), platform(call), after, limit),
                        a -> a.id()));
    }

    private ApiResponse integrations(ApiCall call) {
        Optional<IntegrationStatus> status = call.request().param("status").map(s -> {
            try {
                return IntegrationStatus.parse(s);
            } catch (IllegalArgumentException e) {
                throw ApiError.badRequest("status: " + e.getMessage());
            }
        });
        IntegrationFilter filter = new IntegrationFilter(Optional.empty(), platform(call), status);
        return page(call, (after, limit) -> integrations.page(call.caller().org(), filter, after, limit), i -> i.id());
    }

    private static Optional<String> platform(ApiCall call) {
        Optional<String> platform = call.request().param("platform");
        if (platform.isPresent() && !ConnectorRegistry.knownIds().contains(platform.get())) {
            throw ApiError.badRequest("platform: '" + platform.get() + "' is not one of "
                    + String.join(", ", ConnectorRegistry.knownIds()));
        }
        return platform;
    }

    @FunctionalInterface
    private interface Pager<T> {
        List<T> page(UUID after, int limit);
    }

    private static <T> ApiResponse page(ApiCall call, Pager<T> pager, Function<T, UUID> id) {
        int limit = limit(call);
        UUID after = call.request().param("cursor").map(ReadApi::cursor).orElse(null);
        // One more than asked: whether another page exists, without a count.
        List<T> rows = pager.page(after, limit + 1);
        boolean more = rows.size() > limit;
        List<T> data = more ? rows.subList(0, limit) : rows;
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("data", data);
        out.put("next_cursor", more ? id.apply(data.get(data.size() - 1)).toString() : null);
        return ApiResponse.ok(out);
    }

    private static int limit(ApiCall call) {
        Optional<String> text = call.request().param("limit");
        if (text.isEmpty()) {
            return DEFAULT_LIMIT;
        }
        try {
            int limit = Integer.parseInt(text.get());
            if (limit >= 1 && limit <= MAX_LIMIT) {
                return limit;
            }
        } catch (NumberFormatException e) {
            // falls through to the one message
        }
        throw ApiError.badRequest("limit must be a whole number from 1 to " + MAX_LIMIT);
    }

    private static UUID cursor(String text) {
        try {
            return UUID.fromString(text);
        } catch (IllegalArgumentException e) {
            throw ApiError.badRequest("cursor: not a cursor of this API; pass next_cursor as it was given");
        }
    }
}
