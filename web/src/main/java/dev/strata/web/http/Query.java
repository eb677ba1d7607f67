package dev.strata.web.http;

import dev.strata.model.InvalidFieldException;
import io.javalin.http.Context;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.function.BiConsumer;

/**
 * Typed query parameters. Names are the command-line option names without the leading dashes
 * ({@code --exclude-highest-loss} is {@code exclude-highest-loss}); the form without any dash
 * ({@code excludehighestloss}) is accepted too. {@link dev.strata.web.report.Inputs} types them and names the
 * parameter when a value does not parse.
 */
final class Query {
    private Query() {}

    /**
     * Refuses a query whose percent-encoding is broken ({@code batch=%zz}, a lone {@code %}). Javalin drops such a
     * parameter without a word, so {@code batch=%zz} silently meant the default batch and {@code model=llama%zz} "no
     * model"; the parameter is named instead ({@code query} when its name itself is broken).
     */
    static void checkEncoding(String query) {
        if (query == null || query.indexOf('%') < 0) return;
        forEach(query, (name, value) -> {});
    }

    /**
     * The parameters of {@code query} (the raw query string; null for none) read as Javalin reads them for every route it
     * answers: split at {@code &}, each into name and value at the first {@code =} (no {@code =}: the value is empty),
     * both percent-decoded as UTF-8 by {@link URLDecoder} ({@code +} is a space, a byte sequence that is not UTF-8 becomes
     * U+FFFD), the first value of a repeated name. Broken percent-encoding is refused as by {@link #checkEncoding}.
     */
    static Map<String, String> parse(String query) {
        Map<String, String> values = new HashMap<>();
        if (query != null) forEach(query, values::putIfAbsent);
        return values;
    }

    private static void forEach(String query, BiConsumer<String, String> to) {
        for (String part : query.split("&")) {
            if (part.isEmpty()) continue;
            int eq = part.indexOf('=');
            String name = eq < 0 ? part : part.substring(0, eq);
            String value = eq < 0 ? "" : part.substring(eq + 1);
            String field;
            try {
                field = URLDecoder.decode(name, StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                throw new InvalidFieldException("query", name, "parameter names percent-encoded as % and two hex digits");
            }
            try {
                to.accept(field, URLDecoder.decode(value, StandardCharsets.UTF_8));
            } catch (IllegalArgumentException e) {
                throw new InvalidFieldException(field, value, "percent-encoded as % and two hex digits (%25 for % itself)");
            }
        }
    }

    static String text(Context ctx, String name) {
        String v = ctx.queryParam(name);
        if (v == null && name.contains("-")) v = ctx.queryParam(name.replace("-", ""));
        return v == null || v.isBlank() ? null : v.trim();
    }
}
