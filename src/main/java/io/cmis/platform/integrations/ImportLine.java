package io.cmis.platform.integrations;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cmis.platform.crypto.Secret;
import io.cmis.platform.platforms.ConnectorRegistry;
import io.cmis.platform.platforms.PlatformConnector;
import io.cmis.platform.platforms.RefreshMode;
import io.cmis.platform.tenancy.OrgId;

import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * One line of an {@code integrations import} file: a JSON object naming one integration, checked as
 * {@code integrations add} checks its options. A reason never quotes a value of the line: a column
 * shifted in an export puts a token where an id was expected, and Jackson's own messages quote the
 * input, so they are never passed on.
 */
public final class ImportLine {
    /** The fields this reads; others (an export's {@code id}, {@code created_at}, ...) are ignored. */
    public static final Set<String> FIELDS = Set.of("platform", "org_id", "access_token", "refresh_token",
            "expires_at", "expires_in", "external_id", "kind", "scopes", "account_name");
    static final long MAX_EXPIRES_IN = Duration.ofDays(3650).toSeconds();
    static final int MAX_TOKEN_LENGTH = 16_384;
    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private ImportLine() {
    }

    /** A line that cannot be imported; the message is safe to print (it names fields, never values). */
    public static final class Invalid extends RuntimeException {
        Invalid(String reason) {
            super(reason, null, false, false);
        }
    }

    /**
     * The token the line describes, or {@link Invalid} saying what is wrong with it; the names of the
     * fields it ignores go to {@code ignored}.
     */
    public static ImportedToken parse(String text, ConnectorRegistry registry, Instant now,
                                      java.util.function.Consumer<String> ignored) {
        JsonNode node = read(text);
        node.fieldNames().forEachRemaining(name -> {
            if (!FIELDS.contains(name)) {
                ignored.accept(name);
            }
        });
        String platform = platform(node);
        PlatformConnector connector = registry.get(platform);
        OrgId org = org(node);
        Secret access = token(node, "access_token").orElseThrow(() -> new Invalid("access_token is required"));
        Optional<Secret> refresh = token(node, "refresh_token");
        String externalId = externalId(node);
        Optional<Duration> expiresIn = expiresIn(node);
        Optional<Instant> expiresAt = expiresAt(node, now);
        if (expiresIn.isPresent() && expiresAt.isPresent()) {
            throw new Invalid("expires_at and expires_in are both given; give one");
        }
        String kind = kind(node, connector, platform, refresh.isPresent());
        RefreshMode mode = connector.refreshMode(kind);
        if (refresh.isPresent() && mode != RefreshMode.REFRESH_TOKEN && mode != RefreshMode.ROTATING_REFRESH_TOKEN) {
            throw new Invalid("refresh_token is given, but " + platform + " " + kind + " tokens have none"
                    + " (" + mode.name().toLowerCase(java.util.Locale.ROOT) + "); leave it out"
                    + renewingKind(connector).map(k -> " or use kind " + k).orElse(""));
        }
        if (mode == RefreshMode.NEVER_EXPIRES && (expiresIn.isPresent() || expiresAt.isPresent())) {
            throw new Invalid((expiresIn.isPresent() ? "expires_in" : "expires_at") + " is given, but " + platform
                    + " " + kind + " tokens never expire; leave it out"
                    + renewingKind(connector).map(k -> " or use kind " + k).orElse(""));
        }
        return new ImportedToken(org, platform, externalId, access, refresh, expiresIn, expiresAt, kind,
                accountName(node), scopes(node));
    }

    private static JsonNode read(String text) {
        JsonNode node;
        try {
            node = JSON.readTree(text);
        } catch (JsonProcessingException e) {
            String where = e.getLocation() == null ? "" : " at column " + e.getLocation().getColumnNr();
            if (String.valueOf(e.getOriginalMessage()).startsWith("Duplicate field")) {
                throw new Invalid("a field appears twice" + where);
            }
            throw new Invalid("not a JSON object (invalid JSON" + where + ")");
        }
        if (node == null || !node.isObject()) {
            throw new Invalid("not a JSON object (one object a line, e.g. {\"platform\": \"meta\", ...})");
        }
        return node;
    }

    private static String platform(JsonNode node) {
        String text = text(node, "platform").orElseThrow(() -> new Invalid("platform is required"));
        String id = text.trim().toLowerCase(java.util.Locale.ROOT);
        if (!ConnectorRegistry.knownIds().contains(id)) {
            throw new Invalid("platform is not one of " + String.join(", ", ConnectorRegistry.knownIds()));
        }
        return id;
    }

    private static OrgId org(JsonNode node) {
        String text = text(node, "org_id").orElseThrow(() -> new Invalid("org_id is required"));
        try {
            return OrgId.parse(text);
        } catch (IllegalArgumentException e) {
            throw new Invalid("org_id is not an organization id (a UUID such as 5f0c6d1e-8a2b-4c3d-9e4f-1a2b3c4d5e6f)");
        }
    }

    private static Optional<Secret> token(JsonNode node, String field) {
        Optional<String> text = text(node, field);
        if (text.isEmpty()) {
            return Optional.empty();
        }
        String trimmed = text.get().trim();
        if (trimmed.isEmpty() || trimmed.length() > MAX_TOKEN_LENGTH
                || trimmed.chars().anyMatch(c -> c < 0x21 || c > 0x7e)) {
            throw new Invalid(field + " must be a token of 1 to " + MAX_TOKEN_LENGTH
                    + " printable characters without spaces");
        }
        return Optional.of(Secret.of(trimmed));
    }

    /** Required: asking the platform whose token each line is would be one platform call a line. */
    private static String externalId(JsonNode node) {
        JsonNode value = node.get("external_id");
        String id = value != null && value.isIntegralNumber() ? value.asText()
                : text(node, "external_id").map(String::trim).orElse("");
        if (id.isEmpty()) {
            throw new Invalid("external_id is required: a bulk import does not ask the platform whose account each"
                    + " token is; give the platform's account id (or use 'integrations add' for this one token)");
        }
        if (id.length() > 255 || id.chars().anyMatch(Character::isISOControl)) {
            throw new Invalid("external_id must be 1 to 255 characters without control characters");
        }
        return id;
    }

    private static Optional<Duration> expiresIn(JsonNode node) {
        JsonNode value = present(node, "expires_in");
        if (value == null) {
            return Optional.empty();
        }
        if (!value.isIntegralNumber() || !value.canConvertToLong() || value.asLong() <= 0
                || value.asLong() > MAX_EXPIRES_IN) {
            throw new Invalid("expires_in must be a positive whole number of seconds, at most " + MAX_EXPIRES_IN);
        }
        return Optional.of(Duration.ofSeconds(value.asLong()));
    }

    private static Optional<Instant> expiresAt(JsonNode node, Instant now) {
        Optional<String> text = text(node, "expires_at");
        if (text.isEmpty() || text.get().isBlank()) {
            return Optional.empty();
        }
        Instant at;
        try {
            at = DateTimeFormatter.ISO_OFFSET_DATE_TIME.parse(text.get().trim(), Instant::from);
        } catch (DateTimeParseException e) {
            throw new Invalid("expires_at is not an ISO-8601 instant such as 2027-01-24T12:00:00Z");
        }
        if (!at.isAfter(now)) {
            throw new Invalid("expires_at is in the past: the token has expired; connect the account instead");
        }
        if (at.isAfter(now.plusSeconds(MAX_EXPIRES_IN))) {
            throw new Invalid("expires_at is more than " + MAX_EXPIRES_IN / 86_400 + " days away");
        }
        return Optional.of(at);
    }

    /**
     * The kind given, else the first that can use what was given (a refresh token needs a kind that
     * refreshes), as {@code integrations add} chooses it.
     */
    private static String kind(JsonNode node, PlatformConnector connector, String platform, boolean refresh) {
        Optional<String> given = text(node, "kind").map(String::trim).filter(k -> !k.isEmpty());
        if (given.isEmpty()) {
            return refresh ? renewingKind(connector).orElse(connector.tokenKinds().get(0)) : connector.tokenKinds().get(0);
        }
        if (!connector.tokenKinds().contains(given.get())) {
            throw new Invalid("kind is not a " + platform + " token kind; use one of "
                    + String.join(", ", connector.tokenKinds()));
        }
        return given.get();
    }

    private static Optional<String> renewingKind(PlatformConnector connector) {
        return connector.tokenKinds().stream().filter(k -> {
            RefreshMode mode = connector.refreshMode(k);
            return mode == RefreshMode.REFRESH_TOKEN || mode == RefreshMode.ROTATING_REFRESH_TOKEN;
        }).findFirst();
    }

    /** An array of strings or one string, split at commas and spaces; empty when absent. */
    private static List<String> scopes(JsonNode node) {
        JsonNode value = present(node, "scopes");
        List<String> scopes = new ArrayList<>();
        if (value == null) {
            return scopes;
        }
        if (value.isTextual()) {
            addScopes(value.asText(), scopes);
        } else if (value.isArray()) {
            for (JsonNode scope : value) {
                if (!scope.isTextual()) {
                    throw new Invalid("scopes must be an array of strings or one comma-separated string");
                }
                addScopes(scope.asText(), scopes);
            }
        } else {
            throw new Invalid("scopes must be an array of strings or one comma-separated string");
        }
        return scopes;
    }

    private static void addScopes(String text, List<String> scopes) {
        for (String scope : text.split("[,\\s]+")) {
            if (scope.isEmpty()) {
                continue;
            }
            if (scope.length() > 255 || scope.chars().anyMatch(c -> c < 0x21 || c > 0x7e)) {
                throw new Invalid("scopes must be printable names of at most 255 characters");
            }
            if (!scopes.contains(scope)) {
                scopes.add(scope);
            }
        }
    }

    private static String accountName(JsonNode node) {
        Optional<String> name = text(node, "account_name").map(String::strip).filter(n -> !n.isEmpty());
        if (name.isPresent() && (name.get().length() > 255 || name.get().chars().anyMatch(Character::isISOControl))) {
            throw new Invalid("account_name must be at most 255 characters without control characters");
        }
        return name.orElse(null);
    }

    /** A string field; absent when missing, null or empty (an export writes both for "none"). */
    private static Optional<String> text(JsonNode node, String field) {
        JsonNode value = present(node, field);
        if (value == null) {
            return Optional.empty();
        }
        if (!value.isTextual()) {
            throw new Invalid(field + " must be a string");
        }
        return value.asText().isEmpty() ? Optional.empty() : Optional.of(value.asText());
    }

    private static JsonNode present(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value == null || value.isNull() ? null : value;
    }
}
