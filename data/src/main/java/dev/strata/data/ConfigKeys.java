package dev.strata.data;

import com.fasterxml.jackson.databind.JsonNode;
import dev.strata.model.InvalidFieldException;

/**
 * Typed access to the keys of one Hugging Face {@code config.json} object. Every error names the key, the value
 * found and what is allowed.
 */
final class ConfigKeys {
    private final JsonNode node;

    ConfigKeys(JsonNode node) {
        this.node = node;
    }

    boolean has(String key) {
        JsonNode v = node.get(key);
        return v != null && !v.isNull();
    }

    int requiredInt(String key, int min, int max) {
        if (!has(key))
            throw InvalidFieldException.withMessage(
                    key, "config key " + key + " is missing: it must be an integer from " + min + " to " + max);
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
        if (!v.isBoolean()) throw new InvalidFieldException(key, v, "true or false");
        return v.booleanValue();
    }

    String optionalText(String key, String fallback) {
        if (!has(key)) return fallback;
        JsonNode v = node.get(key);
        if (!v.isTextual()) throw new InvalidFieldException(key, v, "a string");
        return v.textValue();
    }

    private int intValue(String key, int min, int max) {
        JsonNode v = node.get(key);
        if (!v.isNumber() || !(v.isIntegralNumber() || v.doubleValue() == Math.rint(v.doubleValue())))
            throw new InvalidFieldException(key, v, "an integer from " + min + " to " + max);
        double x = v.doubleValue();
        if (x < min || x > max) throw new InvalidFieldException(key, v, "an integer from " + min + " to " + max);
        return (int) x;
    }
}
