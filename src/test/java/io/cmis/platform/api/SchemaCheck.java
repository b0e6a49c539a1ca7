package io.cmis.platform.api;

import com.fasterxml.jackson.databind.JsonNode;

import java.net.URI;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * Checks a JSON value against a schema of the OpenAPI document: the few keywords the document uses
 * ({@code $ref}, {@code type} with {@code null}, {@code enum}, {@code required}, {@code properties},
 * {@code additionalProperties}, {@code items} with {@code minItems}/{@code maxItems}, {@code format},
 * {@code minimum}/{@code maximum}, {@code pattern}, {@code minLength}/{@code maxLength}). Stricter than JSON Schema in one respect, on purpose: an object whose schema
 * declares {@code properties} and says nothing of {@code additionalProperties} is closed, so an answer
 * with a field the document does not describe fails (the document tells clients to ignore unknown
 * fields, so it must not say {@code additionalProperties: false} itself). A keyword it does not know
 * is a problem too: the document cannot use one that would go unchecked.
 */
final class SchemaCheck {
    private static final Set<String> ANNOTATIONS = Set.of("description", "example", "examples", "default", "title",
            "summary", "deprecated", "readOnly", "writeOnly");
    private static final Set<String> KEYWORDS = Set.of("$ref", "type", "enum", "const", "required", "properties",
            "additionalProperties", "items", "minItems", "maxItems", "format", "minimum", "maximum", "pattern",
            "minLength", "maxLength");

    private final JsonNode document;

    SchemaCheck(JsonNode document) {
        this.document = document;
    }

    /** What is wrong with {@code value}, one line each ({@code $.data[0].status: …}); empty when it fits. */
    List<String> problems(JsonNode schema, JsonNode value) {
        List<String> out = new ArrayList<>();
        check(schema, value, "$", out);
        return out;
    }

    /** Follows {@code $ref}s (local ones, {@code #/components/...}) to the node they name. */
    JsonNode resolve(JsonNode node) {
        int hops = 0;
        while (node.has("$ref")) {
            String ref = node.get("$ref").asText();
            if (!ref.startsWith("#/") || ++hops > 16) {
                throw new IllegalArgumentException("cannot follow $ref " + ref);
            }
            JsonNode target = document.at(ref.substring(1));
            if (target.isMissingNode()) {
                throw new IllegalArgumentException("$ref " + ref + " names nothing in the document");
            }
            node = target;
        }
        return node;
    }

    private void check(JsonNode schemaOrRef, JsonNode value, String at, List<String> out) {
        if (schemaOrRef.has("$ref")) {
            for (Iterator<String> names = schemaOrRef.fieldNames(); names.hasNext(); ) {
                String name = names.next();
                if (!name.equals("$ref") && !ANNOTATIONS.contains(name)) {
                    out.add(at + ": the schema has '" + name + "' beside $ref, which this check does not apply");
                }
            }
        }
        JsonNode schema = resolve(schemaOrRef);
        for (Iterator<String> names = schema.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!KEYWORDS.contains(name) && !ANNOTATIONS.contains(name) && !name.startsWith("x-")) {
                out.add(at + ": the schema uses '" + name + "', which this check does not understand");
            }
        }
        if (schema.has("type") && !typeFits(schema.get("type"), value)) {
            out.add(at + ": " + kind(value) + " where the document says " + schema.get("type"));
            return;
        }
        if (schema.has("enum") && !contains(schema.get("enum"), value)) {
            out.add(at + ": " + value + " is not one of " + schema.get("enum"));
        }
        if (schema.has("const") && !schema.get("const").equals(value)) {
            out.add(at + ": " + value + " is not " + schema.get("const"));
        }
        if (value.isTextual()) {
            text(schema, value.asText(), at, out);
        } else if (value.isNumber()) {
            if (schema.has("minimum") && value.decimalValue().compareTo(schema.get("minimum").decimalValue()) < 0) {
                out.add(at + ": " + value + " is below the minimum " + schema.get("minimum"));
            }
            if (schema.has("maximum") && value.decimalValue().compareTo(schema.get("maximum").decimalValue()) > 0) {
                out.add(at + ": " + value + " is above the maximum " + schema.get("maximum"));
            }
        } else if (value.isArray()) {
            if (value.size() < schema.path("minItems").asInt(0) || value.size() > schema.path("maxItems").asInt(Integer.MAX_VALUE)) {
                out.add(at + ": " + value.size() + " items, outside minItems/maxItems");
            }
            for (int i = 0; schema.has("items") && i < value.size(); i++) {
                check(schema.get("items"), value.get(i), at + "[" + i + "]", out);
            }
        } else if (value.isObject()) {
            object(schema, value, at, out);
        }
    }

    private void object(JsonNode schema, JsonNode value, String at, List<String> out) {
        JsonNode properties = schema.path("properties");
        for (JsonNode required : schema.path("required")) {
            if (!value.has(required.asText())) {
                out.add(at + ": the required field '" + required.asText() + "' is missing");
            }
        }
        JsonNode additional = schema.get("additionalProperties");
        for (Iterator<Map.Entry<String, JsonNode>> fields = value.fields(); fields.hasNext(); ) {
            Map.Entry<String, JsonNode> field = fields.next();
            String path = at + "." + field.getKey();
            if (properties.has(field.getKey())) {
                check(properties.get(field.getKey()), field.getValue(), path, out);
            } else if (additional != null && additional.isObject()) {
                check(additional, field.getValue(), path, out);
            } else if (additional == null ? schema.has("properties") : !additional.asBoolean()) {
                out.add(path + ": a field the document does not describe");
            }
        }
    }

    private static void text(JsonNode schema, String text, String at, List<String> out) {
        int length = text.codePointCount(0, text.length());
        if (length < schema.path("minLength").asInt(0) || length > schema.path("maxLength").asInt(Integer.MAX_VALUE)) {
            out.add(at + ": '" + text + "' is " + length + " characters, outside minLength/maxLength");
        }
        if (schema.has("pattern") && !Pattern.compile(schema.get("pattern").asText()).matcher(text).find()) {
            out.add(at + ": '" + text + "' does not match " + schema.get("pattern").asText());
        }
        String format = schema.path("format").asText("");
        boolean fits = switch (format) {
            case "uuid" -> isUuid(text);
            case "date-time" -> isInstant(text);
            case "uri" -> isAbsoluteUri(text);
            case "" -> true;
            default -> {
                out.add(at + ": the format '" + format + "' is one this check does not understand");
                yield true;
            }
        };
        if (!fits) {
            out.add(at + ": '" + text + "' is not a " + format);
        }
    }

    private static boolean typeFits(JsonNode type, JsonNode value) {
        if (type.isArray()) {
            for (JsonNode t : type) {
                if (typeFits(t, value)) {
                    return true;
                }
            }
            return false;
        }
        return switch (type.asText()) {
            case "null" -> value.isNull();
            case "boolean" -> value.isBoolean();
            case "integer" -> value.isIntegralNumber();
            case "number" -> value.isNumber();
            case "string" -> value.isTextual();
            case "array" -> value.isArray();
            case "object" -> value.isObject();
            default -> false;
        };
    }

    private static String kind(JsonNode value) {
        if (value.isNull()) {
            return "null";
        }
        return value.getNodeType().name().toLowerCase(java.util.Locale.ROOT) + " " + abbreviated(value);
    }

    private static String abbreviated(JsonNode value) {
        String text = value.toString();
        return text.length() > 60 ? text.substring(0, 60) + "…" : text;
    }

    private static boolean contains(JsonNode values, JsonNode value) {
        for (JsonNode v : values) {
            if (v.equals(value)) {
                return true;
            }
        }
        return false;
    }

    private static boolean isUuid(String text) {
        try {
            return UUID.fromString(text).toString().equals(text);
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static boolean isInstant(String text) {
        try {
            Instant.parse(text);
            return true;
        } catch (DateTimeParseException e) {
            return false;
        }
    }

    private static boolean isAbsoluteUri(String text) {
        try {
            return URI.create(text).isAbsolute();
        } catch (IllegalArgumentException e) {
            return false;
        }
    }
}
