package dev.strata.model;

/**
 * Bad input: names the field, the value that was given and what is allowed.
 *
 * <p>It is an {@link IllegalArgumentException}, so library users can catch the standard type; the command line
 * turns it into exit code 2 and the web layer into HTTP 400 with {@link #field()} in the error body.
 */
public class InvalidFieldException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;
    /** The name of the offending field, as the user wrote it. */
    private final String field;

    /**
     * @param field   the field's name as the user wrote it (spec field, config key or option name)
     * @param value   the value that was given, as text
     * @param allowed what is allowed, as a phrase ("an integer from 1 to 1048576")
     */
    public InvalidFieldException(String field, Object value, String allowed) {
        super(field + " = " + render(value) + " is not allowed: must be " + allowed);
        this.field = field;
    }

    /**
     * A message that is already complete; it must name {@code field} itself.
     *
     * @param field the field's name as the user wrote it
     * @param message the whole message
     * @return the exception, to throw
     */
    public static InvalidFieldException withMessage(String field, String message) {
        return new InvalidFieldException(field, message, true);
    }

    private InvalidFieldException(String field, String message, boolean complete) {
        super(message);
        this.field = field;
    }

    /**
     * The name of the offending field.
     *
     * @return the field's name as the user wrote it (spec field, config key or option name)
     */
    public String field() {
        return field;
    }

    private static String render(Object value) {
        if (value == null) return "null";
        String s = String.valueOf(value).replaceAll("[\\r\\n\\t]", " ");
        if (s.length() > 80) s = s.substring(0, 77) + "...";
        return value instanceof CharSequence ? "\"" + s + "\"" : s;
    }
}
