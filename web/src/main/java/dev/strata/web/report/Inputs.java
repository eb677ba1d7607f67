package dev.strata.web.report;

import dev.strata.model.InvalidFieldException;
import java.math.BigDecimal;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

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
            return parseNumber(v);
        } catch (NumberFormatException e) {
            throw new InvalidFieldException(name, v, "a number (e.g. 2.5, 1.5e12, 15T)");
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
            throw new InvalidFieldException(name, v, "an integer (e.g. 8192, 8k, 1.5e12)");
        }
    }

    /**
     * A number as people write it, and as the pages print it: digits with an optional fraction and exponent
     * ({@code 1.5e12}), then an optional multiplier: {@code k} or {@code K} (10^3), {@code M} (10^6), {@code G} or
     * {@code B} (10^9), {@code T} (10^12), {@code P} (10^15), or the binary {@code Ki}, {@code Mi}, {@code Gi},
     * {@code Ti} (2^10 ...). ASCII only: Java's parsers also read full-width and other Unicode digits, {@code NaN},
     * {@code Infinity}, hexadecimal and a trailing {@code d}, none of which anybody types to mean a number here.
     */
    private static final Pattern NUMBER = Pattern.compile(
            "([+-]?(?:[0-9]+(?:\\.[0-9]*)?|\\.[0-9]+)(?:[eE][+-]?[0-9]{1,4})?)(k|K|M|G|B|T|P|Ki|Mi|Gi|Ti)?");

    private static final Map<String, BigDecimal> MULTIPLIERS = Map.ofEntries(
            Map.entry("k", BigDecimal.TEN.pow(3)),
            Map.entry("K", BigDecimal.TEN.pow(3)),
            Map.entry("M", BigDecimal.TEN.pow(6)),
            Map.entry("G", BigDecimal.TEN.pow(9)),
            Map.entry("B", BigDecimal.TEN.pow(9)),
            Map.entry("T", BigDecimal.TEN.pow(12)),
            Map.entry("P", BigDecimal.TEN.pow(15)),
            Map.entry("Ki", BigDecimal.valueOf(1L << 10)),
            Map.entry("Mi", BigDecimal.valueOf(1L << 20)),
            Map.entry("Gi", BigDecimal.valueOf(1L << 30)),
            Map.entry("Ti", BigDecimal.valueOf(1L << 40)));

    /** The exact value of a number as {@link #NUMBER} reads it; NumberFormatException when it is not one. */
    private static BigDecimal parseDecimal(String text) {
        Matcher m = NUMBER.matcher(text);
        if (!m.matches()) throw new NumberFormatException("not a number: " + text);
        BigDecimal v = new BigDecimal(m.group(1));
        return m.group(2) == null ? v : v.multiply(MULTIPLIERS.get(m.group(2)));
    }

    /**
     * An integer as people write it: {@code 8192}, {@code 8k} (8,000), {@code 8Ki} (8,192), {@code 1.5e12},
     * {@code 15T}; the value must be whole and fit a long.
     *
     * @throws NumberFormatException when it is not such a number
     */
    public static long parseLong(String text) {
        try {
            return parseDecimal(text).longValueExact();
        } catch (ArithmeticException e) {
            throw new NumberFormatException("not a whole number within a long: " + text);
        }
    }

    /**
     * A finite number as people write it: {@code 2.5}, {@code 1e24}, {@code 5.76e23}, {@code 15T}.
     *
     * @throws NumberFormatException when it is not such a number, or beyond a double's range
     */
    public static double parseNumber(String text) {
        double v = parseDecimal(text).doubleValue();
        if (!Double.isFinite(v)) throw new NumberFormatException("beyond a double: " + text);
        return v;
    }

    /** A preset id: a server never reads files named by a client. */
    public String presetId(String name) {
        String v = text(name);
        return v == null ? null : ResolvedModel.catalogId(name, v);
    }
}
