package dev.strata.web.page;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/** Small helpers for server-rendered HTML: every text that came from a user or a file passes through {@link #esc}. */
public final class Html {
    private Html() {}

    /** Escapes text for HTML element content and quoted attribute values. */
    public static String esc(Object value) {
        if (value == null) return "";
        String s = String.valueOf(value);
        StringBuilder sb = new StringBuilder(s.length() + 16);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '&' -> sb.append("&amp;");
                case '<' -> sb.append("&lt;");
                case '>' -> sb.append("&gt;");
                case '"' -> sb.append("&quot;");
                case '\'' -> sb.append("&#39;");
                default -> sb.append(c);
            }
        }
        return sb.toString();
    }

    /** A query string from name/value pairs (values URL-encoded; null values left out), without the leading '?'. */
    public static String query(Map<String, String> params) {
        StringBuilder sb = new StringBuilder();
        params.forEach((k, v) -> {
            if (v == null || v.isEmpty()) return;
            if (sb.length() > 0) sb.append('&');
            sb.append(URLEncoder.encode(k, StandardCharsets.UTF_8))
                    .append('=')
                    .append(URLEncoder.encode(v, StandardCharsets.UTF_8));
        });
        return sb.toString();
    }

    /** The pages in the navigation bar: path and title. */
    private static final String[][] PAGES = {
        {"/", "Planner"},
        {"/training", "Training"},
        {"/scaling", "Scaling"},
        {"/validation", "Validation"},
        {"/models", "Models"},
        {"/api-docs", "API"}
    };

    /** The page frame: title, navigation and body. */
    public static String page(String title, String active, String body) {
        StringBuilder sb = new StringBuilder(body.length() + 2048);
        sb.append("<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>")
                .append(esc(title))
                .append(" · strata</title>\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
                .append("<link rel=\"stylesheet\" href=\"/static/strata.css\">\n</head>\n<body>\n<nav>")
                .append("<span class=\"brand\">strata</span>");
        for (String[] l : PAGES) {
            sb.append("<a href=\"")
                    .append(l[0])
                    .append('"')
                    .append(l[1].equals(active) ? " class=\"active\"" : "")
                    .append('>')
                    .append(l[1])
                    .append("</a>");
        }
        sb.append("</nav>\n<main>\n<h1>")
                .append(esc(title))
                .append("</h1>\n")
                .append(body)
                .append("\n</main>\n</body>\n</html>\n");
        return sb.toString();
    }
}
