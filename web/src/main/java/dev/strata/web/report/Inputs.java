package dev.strata.web.report;

import dev.strata.model.InvalidFieldException;
import java.util.function.Function;

/**
 * Typed named inputs, for requests that come as text: HTTP query parameters and form fields, named like the
 * command-line options without the leading dashes. A value that does not parse names its field; blank counts as
 * absent. The JSON API and the pages read their inputs through here, so both give the same messages.
 */
public final class Inputs {
    private final Function<String, String> raw;

    /** @param raw the text of an input by name, or null when absent */
    public Inputs(Function<String, String> raw) {
        this.raw = raw;
    }

    /** The trimmed text, or null when absent or blank. */
    public String text(String name) {
        String v = raw.apply(name);
        return v == null || v.isBlank() ? null : v.trim();
    }

    public Double number(String name) {
        String v = text(name);
        if (v == null) return null;
        try {
            return Double.valueOf(v);
        } catch (NumberFormatException e) {
            throw new InvalidFieldException(name, v, "a number");
        }
    }

    public Integer integer(String name) {
        Long v = whole(name);
        if (v == null) return null;
        if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE)
            throw new InvalidFieldException(
                    name, v, "an integer from " + Integer.MIN_VALUE + " to " + Integer.MAX_VALUE);
        return v.intValue();
    }

    public Long whole(String name) {
        String v = text(name);
        if (v == null) return null;
        try {
            return parseLong(v);
        } catch (NumberFormatException e) {
            throw new InvalidFieldException(name, v, "an integer");
        }
    }

    /**
     * {@link Long#parseLong} of ASCII digits only: Java's own also reads full-width, Arabic-Indic and every other
     * Unicode digit ({@code "８"} is 8), which nobody types to mean a number here.
     */
    public static long parseLong(String text) {
        for (int i = 0; i < text.length(); i++)
            if (text.charAt(i) > 127) throw new NumberFormatException("not an ASCII number: " + text);
        return Long.parseLong(text);
    }

    /** A preset id: a server never reads files named by a client. */
    public String presetId(String name) {
        String v = text(name);
        return v == null ? null : ResolvedModel.catalogId(name, v);
    }
}
