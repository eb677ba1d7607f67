package dev.strata.web.render;

import dev.strata.model.InvalidFieldException;
import java.util.Locale;

/** Output formats of every command and API call. */
public enum Format {
    TABLE,
    JSON,
    CSV;

    /** Parses {@code table|json|csv} (case-insensitive). */
    public static Format parse(String field, String text) {
        if (text == null) return TABLE;
        try {
            return valueOf(text.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new InvalidFieldException(field, text, "one of table, json, csv");
        }
    }
}
