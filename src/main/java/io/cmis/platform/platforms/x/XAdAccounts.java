package io.cmis.platform.platforms.x;

import com.fasterxml.jackson.databind.JsonNode;
import io.cmis.platform.http.GuardedHttpClient;
import io.cmis.platform.http.PlatformRequest;
import io.cmis.platform.http.RateLimitScopes;
import io.cmis.platform.platforms.CallContext;
import io.cmis.platform.platforms.ConfigurationPlatformException;
import io.cmis.platform.platforms.DiscoveredAdAccount;
import io.cmis.platform.platforms.ObjectRateLimitedException;
import io.cmis.platform.platforms.RateLimitExceededException;
import io.cmis.platform.platforms.PermanentPlatformException;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * The ad accounts the user can reach ({@code GET /<version>/accounts}, cursor paging to the end) and
 * the currency of each, which only its funding instruments carry.
 */
final class XAdAccounts {
    static final String ACCOUNTS = "/{version}/accounts";
    static final String FUNDING = "/{version}/accounts/{account}/funding_instruments";
    /** X's maximum page size: the fewest calls, as X advises. */
    static final String PAGE_SIZE = "1000";

    private final XSettings settings;
    private final GuardedHttpClient http;
    private final XClassifier classifier;
    private final XSigning signing;

    XAdAccounts(XSettings settings, GuardedHttpClient http, XClassifier classifier, XSigning signing) {
        this.settings = settings;
        this.http = http;
        this.classifier = classifier;
        this.signing = signing;
    }

    /**
     * Every account listed. An account whose own window is spent (X's {@code x-account-rate-limit-*})
     * holds back its own funding-instrument call only: the others are still read in this run, and the
     * result is an {@link ObjectRateLimitedException} naming the held-back accounts so that the sync
     * keeps their stored rows. A limit on anything wider (the user's token, the endpoint) stops discovery.
     */
    List<DiscoveredAdAccount> list(CallContext context) {
        List<DiscoveredAdAccount> accounts = new ArrayList<>();
        Set<String> kept = new LinkedHashSet<>();
        RateLimitExceededException firstLimit = null;
        Set<String> cursors = new HashSet<>();
        String cursor = null;
        do {
            JsonNode page = http.execute(signing.authenticate(PlatformRequest.get(XConnector.ID, settings.adsApiUrl(), ACCOUNTS)
                    .path("version", settings.apiVersion())
                    .query("count", PAGE_SIZE)
                    .query("with_deleted", "false")
                    .query("cursor", cursor), context)
                    .context(context.orgId(), context.integrationId())
                    .build(), classifier).json();
            for (JsonNode account : page.path("data")) {
                String id = account.path("id").asText();
                Optional<String> currency;
                try {
                    currency = currency(context, id);
                } catch (RateLimitExceededException e) {
                    if (!onlyThisAccount(e, id)) {
                        throw e;
                    }
                    kept.add(id);
                    firstLimit = firstLimit == null ? e : firstLimit;
                    currency = Optional.empty();
                }
                accounts.add(account(account, currency));
            }
            cursor = nextCursor(page);
            // A cursor seen before would page forever: X's cursors are opaque, so trust but check.
            if (cursor != null && !cursors.add(cursor)) {
                throw new PermanentPlatformException(XConnector.ID, ACCOUNTS, "cursor_loop",
                        "X returned a cursor it had returned before; discovery stopped");
            }
        } while (cursor != null);
        if (firstLimit != null) {
            throw new ObjectRateLimitedException(firstLimit, accounts, kept);
        }
        return accounts;
    }

    /** An ad account's own window ({@code x-account-rate-limit-*}), as its calls declare it. */
    static String accountScope(String accountId) {
        return RateLimitScopes.object("x_ad_account", accountId);
    }

    /** True when every scope the limit names is this account's own. */
    private static boolean onlyThisAccount(RateLimitExceededException e, String accountId) {
        String own = accountScope(accountId);
        return e.limits().stream().allMatch(l -> l.scope().equals(own));
    }

    private DiscoveredAdAccount account(JsonNode account, Optional<String> currency) {
        String id = account.path("id").asText();
        String approval = account.path("approval_status").asText("");
        String status = account.path("deleted").asBoolean(false) ? "deleted" : readable(approval);
        return new DiscoveredAdAccount(id, account.path("name").asText(id), currency.orElse(null),
                text(account.path("timezone")), status, approval.isEmpty() ? null : approval, false,
                Optional.empty());
    }

    /**
     * The currency of the account's first funding instrument that is not deleted. An account whose
     * instruments this user may not see keeps an unknown currency rather than failing discovery.
     */
    private Optional<String> currency(CallContext context, String accountId) {
        JsonNode body;
        try {
            body = http.execute(signing.authenticate(PlatformRequest.get(XConnector.ID, settings.adsApiUrl(), FUNDING)
                    .path("version", settings.apiVersion())
                    .path("account", accountId)
                    .limitedBy(accountScope(accountId)), context)
                    .context(context.orgId(), context.integrationId())
                    .build(), classifier).json();
        } catch (ConfigurationPlatformException e) {
            throw e;
        } catch (PermanentPlatformException e) {
            return Optional.empty();
        }
        for (JsonNode instrument : body.path("data")) {
            String currency = text(instrument.path("currency"));
            if (!instrument.path("deleted").asBoolean(false) && currency != null) {
                return Optional.of(currency.toUpperCase(Locale.ROOT));
            }
        }
        return Optional.empty();
    }

    /** {@code ACCEPTED} is the only documented value; any other is kept, lower-cased, rather than refused. */
    static String readable(String approval) {
        if (approval.isBlank()) {
            return "unknown";
        }
        String upper = approval.trim().toUpperCase(Locale.ROOT);
        return upper.equals("ACCEPTED") ? "active" : upper.toLowerCase(Locale.ROOT);
    }

    private static String nextCursor(JsonNode page) {
        return text(page.path("next_cursor"));
    }

    private static String text(JsonNode node) {
        return node.isMissingNode() || node.isNull() || node.asText().isBlank() ? null : node.asText();
    }
}
