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

    /**
     * The stylesheet and scripts that draw a page's chart boxes again in the browser with uPlot, values on hover:
     * uPlot from its WebJar, {@code chart-kit.js}, then {@code script} ({@code charts.js}, or the planner's own).
     */
    static String chartScripts(String script) {
        return "<link rel=\"stylesheet\" href=\"" + PlannerPage.UPLOT + "uPlot.min.css\">"
                + "<script src=\"" + PlannerPage.UPLOT + "uPlot.iife.min.js\" defer></script>"
                + "<script src=\"/static/chart-kit.js\" defer></script>"
                + "<script src=\"/static/" + script + "\" defer></script>";
    }

    /**
     * A chart box the page's chart script draws ({@code data-chart} {@code kind}) from the JSON at {@code src}, around
     * the server's image ({@code imgSrc}, kept for export and for pages without JavaScript); {@code size} is the
     * image's width and height attributes, or empty. URLs are given unescaped.
     */
    static String chartBox(
            String boxId, String kind, String src, String imgId, String alt, String imgSrc, String size) {
        return "<div class=\"chart-box\" id=\"" + esc(boxId) + "\" data-chart=\"" + esc(kind) + "\" data-src=\""
                + esc(src) + "\"><img class=\"chart\" id=\"" + esc(imgId) + "\" alt=\"" + esc(alt) + "\"" + size
                + " src=\"" + esc(imgSrc) + "\"></div>";
    }

    /** The pages in the navigation bar: path and title. */
    private static final String[][] PAGES = {
        {"/", "Planner"},
        {"/compare", "Compare"},
        {"/capacity", "Capacity"},
        {"/training", "Training"},
        {"/scaling", "Scaling"},
        {"/validation", "Validation"},
        {"/models", "Models"},
        {"/hardware", "Hardware"},
        {"/api-docs", "API"}
    };

    /** A chart image the server draws: {@code <img class="chart" ... src="/chart/NAME.png?QUERY">}. */
    private static final java.util.regex.Pattern CHART = java.util.regex.Pattern.compile(
            "<img class=\"chart\"([^>]*?) src=\"(/chart/[a-z-]+\\.png)\\?([^\"]*)\"([^>]*)>");

    /** A chart's own height in its query. */
    private static final java.util.regex.Pattern HEIGHT =
            java.util.regex.Pattern.compile("(?:^|&amp;)height=([0-9]{1,4})(?:&|$)");

    /** Width and (least) height of a chart drawn for a phone: shown about 1:1 at 360 to 400 px, so its text stays readable. */
    static final int PHONE_CHART_WIDTH = 380, PHONE_CHART_HEIGHT = 320;

    /**
     * Each chart the server draws also offered drawn for a phone's width (a tall chart keeps its height): scaled down
     * from 720 px or more, its text was about 5 px. The desktop image stays the {@code img}'s {@code src}.
     */
    static String phoneCharts(String body) {
        java.util.regex.Matcher m = CHART.matcher(body);
        StringBuilder out = new StringBuilder(body.length() + 512);
        while (m.find()) {
            java.util.regex.Matcher h = HEIGHT.matcher(m.group(3));
            int height = h.find() ? Math.max(PHONE_CHART_HEIGHT, Integer.parseInt(h.group(1))) : PHONE_CHART_HEIGHT;
            String query =
                    m.group(3).replaceAll("(^|&amp;)(width|height)=[0-9]*", "").replaceFirst("^&amp;", "");
            String phone = m.group(2) + "?" + (query.isEmpty() ? "" : query + "&amp;") + "width=" + PHONE_CHART_WIDTH
                    + "&amp;height=" + height;
            m.appendReplacement(
                    out,
                    java.util.regex.Matcher.quoteReplacement("<picture><source media=\"(max-width: 40rem)\" srcset=\""
                            + phone + "\">" + m.group() + "</picture>"));
        }
        m.appendTail(out);
        return out.toString();
    }

    /** The page frame: title, navigation and body. */
    public static String page(String title, String active, String body) {
        StringBuilder sb = new StringBuilder(body.length() + 2048);
        sb.append("<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>")
                .append(esc(title))
                .append(" · strata</title>\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
                // no icon: else a browser asks for /favicon.ico, a 404 in its console
                .append("<link rel=\"icon\" href=\"data:,\">\n")
                .append("<link rel=\"stylesheet\" href=\"/static/strata.css\">\n")
                // forms marked data-live follow their fields (the pages work without it)
                .append("<script src=\"/static/live.js\" defer></script>\n</head>\n<body>\n<nav>")
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
                .append(phoneCharts(body))
                .append("\n</main>\n</body>\n</html>\n");
        return sb.toString();
    }
}
