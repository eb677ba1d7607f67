package dev.strata.model.internal;

import dev.strata.model.InvalidFieldException;

/** Argument checks shared by the value types; each throws {@link InvalidFieldException} naming the field. */
public final class Checks {
    private Checks() {}

    /** Requires {@code min <= value <= max}. */
    public static int range(String field, int value, int min, int max) {
        if (value < min || value > max)
            throw new InvalidFieldException(field, value, "an integer from " + min + " to " + max);
        return value;
    }

    /** Requires {@code min <= value <= max}. */
    public static long range(String field, long value, long min, long max) {
        if (value < min || value > max)
            throw new InvalidFieldException(field, value, "an integer from " + min + " to " + max);
        return value;
    }

    /** Requires a finite number in {@code [min, max]}. */
    public static double range(String field, double value, double min, double max) {
        // also rejects NaN
        if (!(value >= min && value <= max))
            throw new InvalidFieldException(field, value, "a finite number from " + min + " to " + max);
        return value;
    }

    /** Requires a finite number greater than zero and at most {@code max}. */
    public static double positive(String field, double value, double max) {
        if (!(value > 0 && value <= max))
            throw new InvalidFieldException(field, value, "a finite number > 0 and <= " + max);
        return value;
    }

    /** Requires a non-null value. */
    public static <T> T present(String field, T value) {
        if (value == null) throw new InvalidFieldException(field, null, "present");
        return value;
    }

    /** Requires a non-blank text. */
    public static String text(String field, String value) {
        if (value == null || value.isBlank()) throw new InvalidFieldException(field, value, "a non-empty text");
        return value;
    }
}
