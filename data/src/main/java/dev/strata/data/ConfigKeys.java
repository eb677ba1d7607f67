package dev.strata.data;

import com.fasterxml.jackson.databind.JsonNode;
import dev.strata.model.InvalidFieldException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Typed access to the keys of one Hugging Face {@code config.json} object. Every error names the key, the value
 * found and what is allowed.
 */
final class ConfigKeys {
    private final JsonNode node;
    private final String prefix;

    ConfigKeys(JsonNode node) {
        this(node, "");
    }

    /** Keys of a nested object, named in errors with {@code prefix} ({@code "vision_config."}). */
    ConfigKeys(JsonNode node, String prefix) {
        this.node = node;
        this.prefix = prefix;
    }

    private String name(String key) {
        return prefix + key;
    }

    /** The config object itself. */
    JsonNode node() {
        return node;
    }

    boolean has(String key) {
        JsonNode v = node.get(key);
        return v != null && !v.isNull();
    }

    int requiredInt(String key, int min, int max) {
        if (!has(key))
            throw InvalidFieldException.withMessage(
                    name(key),
                    "config key " + name(key) + " is missing: it must be an integer from " + min + " to " + max);
        return intValue(key, min, max);
    }

    int optionalInt(String key, int fallback, int min, int max) {
        return has(key) ? intValue(key, min, max) : fallback;
    }

    /** An integer that may be absent or null, in which case 0 is returned. */
    int optionalIntOrZero(String key, int min, int max) {
        return has(key) ? intValue(key, min, max) : 0;
    }

    boolean optionalBool(String key, boolean fallback) {
        if (!has(key)) return fallback;
        JsonNode v = node.get(key);
        if (!v.isBoolean()) throw new InvalidFieldException(name(key), v, "true or false");
        return v.booleanValue();
    }

    String optionalText(String key, String fallback) {
        if (!has(key)) return fallback;
        JsonNode v = node.get(key);
        if (!v.isTextual()) throw new InvalidFieldException(name(key), v, "a string");
        return v.textValue();
    }

    /**
     * These keys with {@code keys} taken from {@code outer} where this config lacks them (a multimodal wrapper's
     * top-level keys that its text_config leaves out).
     */
    ConfigKeys withFallback(ConfigKeys outer, String... keys) {
        com.fasterxml.jackson.databind.node.ObjectNode merged =
                ((com.fasterxml.jackson.databind.node.ObjectNode) node).deepCopy();
        for (String key : keys) if (!has(key) && outer.has(key)) merged.set(key, outer.node.get(key));
        return new ConfigKeys(merged);
    }

    /**
     * These keys with {@code defaults} filled in where this config lacks them (a configuration class's documented
     * defaults); each default used is added to {@code used} as "key absent: className's default value".
     */
    ConfigKeys withDefaults(Map<String, Integer> defaults, String className, List<String> used) {
        com.fasterxml.jackson.databind.node.ObjectNode merged =
                ((com.fasterxml.jackson.databind.node.ObjectNode) node).deepCopy();
        new java.util.TreeMap<>(defaults).forEach((key, value) -> { // in a fixed order
            if (has(key)) return;
            merged.set(key, com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.numberNode(value));
            used.add(key + " absent: " + className + "'s default " + value);
        });
        return new ConfigKeys(merged);
    }

    /** A list of integers (e.g. {@code mlp_only_layers}); absent or null is an empty list. */
    List<Integer> intList(String key, int min, int max) {
        if (!has(key)) return List.of();
        JsonNode v = node.get(key);
        if (!v.isArray())
            throw new InvalidFieldException(name(key), v, "a list of integers from " + min + " to " + max);
        List<Integer> out = new ArrayList<>();
        for (JsonNode e : v) {
            if (!e.isIntegralNumber() || e.longValue() < min || e.longValue() > max)
                throw new InvalidFieldException(name(key), v, "a list of integers from " + min + " to " + max);
            out.add(e.intValue());
        }
        return out;
    }

    /** A list of strings (e.g. {@code layer_types}); absent or null is null. */
    List<String> textList(String key) {
        if (!has(key)) return null;
        JsonNode v = node.get(key);
        if (!v.isArray()) throw new InvalidFieldException(name(key), v, "a list of strings");
        List<String> out = new ArrayList<>();
        for (JsonNode e : v) {
            if (!e.isTextual()) throw new InvalidFieldException(name(key), v, "a list of strings");
            out.add(e.textValue());
        }
        return out;
    }

    /** The object under {@code key} (a multimodal config's {@code text_config}), or null when absent. */
    JsonNode object(String key) {
        if (!has(key)) return null;
        JsonNode v = node.get(key);
        if (!v.isObject()) throw new InvalidFieldException(name(key), v, "a JSON object");
        return v;
    }

    private int intValue(String key, int min, int max) {
        JsonNode v = node.get(key);
        if (!v.isNumber() || !(v.isIntegralNumber() || v.doubleValue() == Math.rint(v.doubleValue())))
            throw new InvalidFieldException(name(key), v, "an integer from " + min + " to " + max);
        double x = v.doubleValue();
        if (x < min || x > max) throw new InvalidFieldException(name(key), v, "an integer from " + min + " to " + max);
        return (int) x;
    }
}
