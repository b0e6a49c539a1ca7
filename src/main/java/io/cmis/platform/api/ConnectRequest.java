package io.cmis.platform.api;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The body of {@code POST /connect/{platform}}: {@code {"return_to":…,"scopes":[…],"kind":…}}, each
 * optional, nothing else. What is refused is described, never quoted: the body is the caller's.
 */
record ConnectRequest(Optional<String> returnTo, Optional<List<String>> scopes, Optional<String> kind) {
    private static final Set<String> FIELDS = Set.of("return_to", "scopes", "kind");
    private static final int MAX_SCOPES = 50;
    /** Scopes are kept comma-separated, so a comma would make two; platforms' scopes are printable ASCII. */
    private static final Pattern SCOPE = Pattern.compile("[\\x21-\\x7e&&[^,]]{1,200}");
    private static final Pattern KIND = Pattern.compile("[a-z0-9_]{1,40}");
    private static final ObjectMapper STRICT = new ObjectMapper()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    static ConnectRequest parse(byte[] body) {
        if (body.length == 0) {
            return new ConnectRequest(Optional.empty(), Optional.empty(), Optional.empty());
        }
        JsonNode root;
        try {
            root = STRICT.readTree(body);
        } catch (IOException e) {
            throw ApiError.badRequest("the body is not valid JSON (a duplicate field counts as invalid)");
        }
        if (root == null || !root.isObject()) {
            throw ApiError.badRequest("the body must be a JSON object with return_to, scopes and kind, each optional");
        }
        for (Iterator<String> names = root.fieldNames(); names.hasNext(); ) {
            if (!FIELDS.contains(names.next())) {
                throw ApiError.badRequest("the body has a field other than return_to, scopes and kind");
            }
        }
        return new ConnectRequest(text(root, "return_to", null), scopes(root.get("scopes")),
                text(root, "kind", KIND));
    }

    private static Optional<String> text(JsonNode root, String name, Pattern shape) {
        JsonNode node = root.get(name);
        if (node == null) {
            return Optional.empty();
        }
        if (!node.isTextual() || (shape != null && !shape.matcher(node.textValue()).matches())) {
            throw ApiError.badRequest(name + " must be a string" + (shape == null ? "" : " of lower-case letters, "
                    + "digits and '_'"));
        }
        return Optional.of(node.textValue());
    }

    private static Optional<List<String>> scopes(JsonNode node) {
        if (node == null) {
            return Optional.empty();
        }
        if (!node.isArray() || node.isEmpty() || node.size() > MAX_SCOPES) {
            throw ApiError.badRequest("scopes must be an array of 1 to " + MAX_SCOPES + " strings (leave it out for "
                    + "the platform's default scopes)");
        }
        List<String> scopes = new ArrayList<>();
        for (JsonNode scope : node) {
            if (!scope.isTextual() || !SCOPE.matcher(scope.textValue()).matches()) {
                throw ApiError.badRequest("each scope must be a string of 1 to 200 printable characters, "
                        + "no space and no comma");
            }
            scopes.add(scope.textValue());
        }
        return Optional.of(List.copyOf(scopes));
    }
}
