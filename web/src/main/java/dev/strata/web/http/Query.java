package dev.strata.web.http;

import dev.strata.model.InvalidFieldException;
import io.javalin.http.Context;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * Typed query parameters. Names are the command-line option names without the leading dashes
 * ({@code --exclude-highest-loss} is {@code exclude-highest-loss}); the form without any dash
 * ({@code excludehighestloss}) is accepted too. {@link dev.strata.web.report.Inputs} types them and names the
 * parameter when a value does not parse.
 */
final class Query {
    private Query() {}

    /**
     * Refuses a query whose percent-encoding is broken ({@code batch=%zz}, a lone {@code %}) or that gives a parameter
     * twice. Javalin drops a badly encoded parameter without a word, so {@code batch=%zz} silently meant the default
     * batch and {@code model=llama%zz} "no model"; and it keeps the first of two, so {@code batch=2&batch=8} silently
     * meant batch 2. The parameter is named instead ({@code query} when its name itself is broken). The query is split
     * as Javalin splits it: at {@code &}, each part into name and value at the first {@code =}; two names are the same
     * parameter when they differ only in dashes ({@code exclude-highest-loss}, {@code excludehighestloss}).
     */
    static void check(String query) {
        if (query == null || query.isEmpty()) return;
        Map<String, String> seen = new HashMap<>();
        for (String part : query.split("&")) {
            if (part.isEmpty()) continue;
            int eq = part.indexOf('=');
            String name = eq < 0 ? part : part.substring(0, eq);
            String value = eq < 0 ? "" : part.substring(eq + 1);
            String field;
            try {
                field = URLDecoder.decode(name, StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                throw new InvalidFieldException(
                        "query", name, "parameter names percent-encoded as % and two hex digits");
            }
            String text;
            try {
                text = URLDecoder.decode(value, StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                throw new InvalidFieldException(
                        field, value, "percent-encoded as % and two hex digits (%25 for % itself)");
            }
            String before = seen.putIfAbsent(field.indexOf('-') < 0 ? field : field.replace("-", ""), field);
            if (before != null)
                throw InvalidFieldException.withMessage(
                        field,
                        field + " is given twice (" + before + "=" + value(query, before) + " and " + field + "="
                                + text + "): give each parameter once (an option that takes a list takes it "
                                + "comma-separated)");
        }
    }

    /** The decoded value of the first parameter named {@code name} in {@code query} (for a message). */
    private static String value(String query, String name) {
        for (String part : query.split("&")) {
            int eq = part.indexOf('=');
            if (eq >= 0
                    && URLDecoder.decode(part.substring(0, eq), StandardCharsets.UTF_8)
                            .equals(name)) return URLDecoder.decode(part.substring(eq + 1), StandardCharsets.UTF_8);
        }
        return "";
    }

    static String text(Context ctx, String name) {
        String v = ctx.queryParam(name);
        if (v == null && name.contains("-")) v = ctx.queryParam(name.replace("-", ""));
        return v == null || v.isBlank() ? null : v.trim();
    }
}
