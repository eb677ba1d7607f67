package dev.strata.web.page;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The fields of a page's form, bound to the values the user sent and to the errors of the last answer: each field
 * shows its value (escaped) and, when refused, its message next to it ({@code id="error-<name>"}). Errors of
 * fields the form does not have are shown above the results ({@link #otherErrors}).
 */
final class Form {
    private final Map<String, String> values;
    private final Map<String, String> errors;
    private final java.util.Set<String> shown = new java.util.HashSet<>();

    /**
     * @param values the submitted value of each field (null: empty)
     * @param errors message by field name, in the order found (shown as {@link Show#message} words them)
     */
    Form(Map<String, String> values, Map<String, String> errors) {
        this.values = values;
        this.errors = new LinkedHashMap<>();
        errors.forEach((field, message) -> this.errors.put(field, Show.message(message)));
    }

    String value(String name) {
        String v = values.get(name);
        return v == null ? "" : v;
    }

    /** A text input; {@code hint} is shown as its placeholder (what an empty field means). */
    String input(String label, String name, String hint) {
        return input(label, name, hint, null);
    }

    /**
     * A text input with a phone keyboard: {@code inputmode} {@code numeric} (digits) or {@code decimal} (digits and a
     * point), or null for the text keyboard (a field that takes {@code 1e24} needs its {@code e}). It stays a text
     * field, so the server's own parsing and messages apply.
     */
    String input(String label, String name, String hint, String inputmode) {
        return "<label" + invalid(name) + ">" + Html.esc(label) + "<input type=\"text\" name=\"" + name + "\" id=\""
                + name + "\" value=\"" + Html.esc(value(name)) + "\""
                + (inputmode == null ? "" : " inputmode=\"" + inputmode + "\"")
                + (hint == null ? "" : " placeholder=\"" + Html.esc(hint) + "\"") + ">" + error(name) + "</label>";
    }

    /** A select of {value, text} options; a submitted value that is not an option is kept as an extra, marked option. */
    String select(String label, String name, List<String[]> options) {
        return select(label, name, options, null);
    }

    /** A select with a CSS class on its label ({@code span2}: two grid columns wide, for long option texts). */
    String select(String label, String name, List<String[]> options, String cssClass) {
        String classes = ((cssClass == null ? "" : cssClass) + (errors.containsKey(name) ? " invalid" : "")).trim();
        StringBuilder b = new StringBuilder("<label")
                .append(classes.isEmpty() ? "" : " class=\"" + classes + "\"")
                .append('>')
                .append(Html.esc(label))
                .append("<select name=\"")
                .append(name)
                .append("\" id=\"")
                .append(name)
                .append("\">");
        String v = value(name);
        boolean found = false;
        for (String[] o : options) {
            boolean sel = o[0].equals(v);
            found |= sel;
            b.append("<option value=\"")
                    .append(Html.esc(o[0]))
                    .append('"')
                    .append(sel ? " selected" : "")
                    .append('>')
                    .append(Html.esc(o[1]))
                    .append("</option>");
        }
        if (!found && !v.isEmpty())
            b.append("<option value=\"")
                    .append(Html.esc(v))
                    .append("\" selected>")
                    .append(Html.esc(v))
                    .append(" (unknown)</option>");
        return b.append("</select>").append(error(name)).append("</label>").toString();
    }

    /** A textarea spanning the form's width. */
    String textarea(String label, String name, String placeholder, int rows) {
        return "<label class=\"wide" + (errors.containsKey(name) ? " invalid" : "") + "\">" + Html.esc(label)
                + "<textarea name=\"" + name
                + "\" id=\"" + name + "\" rows=\"" + rows + "\" spellcheck=\"false\" placeholder=\""
                + Html.esc(placeholder) + "\">"
                + Html.esc(value(name)) + "</textarea>" + error(name) + "</label>";
    }

    /** A file input whose errors are shown next to it. */
    String file(String label, String name, String accept) {
        return "<label" + invalid(name) + ">" + Html.esc(label) + "<input type=\"file\" name=\"" + name + "\" id=\""
                + name + "\" accept=\"" + Html.esc(accept) + "\">" + error(name) + "</label>";
    }

    /** The message for {@code name}, if any, as the element next to its field. */
    String error(String name) {
        String e = errors.get(name);
        if (e == null) return "";
        shown.add(name);
        return "<span class=\"field-error\" id=\"error-" + name + "\">" + Html.esc(e) + "</span>";
    }

    /** Errors not shown next to a field of this form (call after rendering the fields). */
    String otherErrors() {
        StringBuilder b = new StringBuilder();
        for (Map.Entry<String, String> e : errors.entrySet())
            if (!shown.contains(e.getKey()))
                b.append("<p class=\"error-box\" id=\"error-")
                        .append(Html.esc(e.getKey()))
                        .append("\">")
                        .append(Html.esc(e.getValue()))
                        .append("</p>");
        return b.toString();
    }

    private String invalid(String name) {
        return errors.containsKey(name) ? " class=\"invalid\"" : "";
    }

    /** The submitted values of {@code names}, in order, as read by {@code read}. */
    static Map<String, String> values(List<String> names, java.util.function.Function<String, String> read) {
        Map<String, String> m = new LinkedHashMap<>();
        for (String n : names) {
            String v = read.apply(n);
            m.put(n, v == null ? null : v.trim());
        }
        return m;
    }
}
