package io.cmis.platform.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/** A platform's answer: status, headers (names lower-cased) and body. */
public record PlatformResponse(int status, Map<String, List<String>> headers, String body) {
    private static final ObjectMapper JSON = new ObjectMapper();

    public Optional<String> header(String name) {
        List<String> values = headers.get(name.toLowerCase(Locale.ROOT));
        return values == null || values.isEmpty() ? Optional.empty() : Optional.of(values.get(0));
    }

    /** The body as JSON; a body that is not JSON reads as an empty object, for classifiers to judge. */
    public JsonNode json() {
        try {
            JsonNode node = JSON.readTree(body == null ? "" : body);
            return node == null || node.isMissingNode() ? JSON.createObjectNode() : node;
        } catch (IOException e) {
            return JSON.createObjectNode();
        }
    }

    public boolean isJson() {
        try {
            JsonNode node = JSON.readTree(body == null ? "" : body);
            return node != null && !node.isMissingNode();
        } catch (IOException e) {
            return false;
        }
    }

    public boolean success() {
        return status >= 200 && status < 300;
    }
}
