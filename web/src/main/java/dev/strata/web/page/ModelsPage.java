package dev.strata.web.page;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.strata.data.Preset;
import dev.strata.data.PresetCatalog;
import dev.strata.estimator.params.ParamComponent;
import dev.strata.estimator.params.ParameterCount;
import dev.strata.estimator.params.Parameters;
import dev.strata.model.InvalidFieldException;
import dev.strata.web.chart.Charts;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jfree.chart.JFreeChart;

/** The model catalog: every preset with computed and published counts, and one model's parameter breakdown. */
public final class ModelsPage {
    private ModelsPage() {}

    /** The page for {@code model} (a preset id; the first preset when null); status 400 when it is not one, else 200. */
    public static Page render(String model) {
        String id = model == null || model.isBlank() ? "llama-3-8b" : model;
        int status = 200;
        String error = null;
        Preset selected = null;
        try {
            selected = PresetCatalog.get(id);
        } catch (InvalidFieldException e) {
            error = Show.message(e.getMessage());
            status = 400;
        }
        StringBuilder b = new StringBuilder();
        b.append("<form class=\"inputs\" id=\"models-form\" data-live method=\"get\" action=\"/models\">");
        b.append("<label")
                .append(error == null ? "" : " class=\"invalid\"")
                .append(">Model<select name=\"model\" id=\"model\">");
        for (Preset p : PresetCatalog.all())
            b.append("<option value=\"")
                    .append(Html.esc(p.id()))
                    .append('"')
                    .append(p.id().equals(id) ? " selected" : "")
                    .append('>')
                    .append(Html.esc(p.name()))
                    .append("</option>");
        b.append("</select>");
        if (error != null)
            b.append("<span class=\"field-error\" id=\"error-model\">")
                    .append(Html.esc(error))
                    .append("</span>");
        b.append("</label><button type=\"submit\">Show</button></form>");
        if (selected != null) {
            ParameterCount c = Parameters.count(selected.spec());
            String q = Html.query(Map.of("model", selected.id()));
            b.append("<h2>").append(Html.esc(selected.name())).append("</h2>");
            b.append("<div class=\"cards\">")
                    .append(card("Total parameters", c.total(), null))
                    .append(card("Active per token", c.active(), null))
                    .append(card(
                            "Published",
                            null,
                            selected.publishedText() + (selected.publishedExact() ? " (exact)" : " (rounded)")))
                    .append("</div>");
            // charts.js draws the bars again with uPlot, each term's parameters on hover
            b.append(Html.chartScripts("charts.js"));
            b.append(Html.chartBox(
                    "params-plot",
                    "bars",
                    "/chart/params.json?" + q,
                    "params-chart",
                    "parameter breakdown",
                    "/chart/params.png?" + q,
                    ""));
            b.append("<p class=\"downloads\"><a href=\"/chart/params.svg?")
                    .append(Html.esc(q))
                    .append("\">SVG</a>")
                    .append("<a href=\"/api/estimate?")
                    .append(Html.esc(q))
                    .append("&amp;format=csv\">CSV</a>")
                    .append("<a href=\"/api/estimate?")
                    .append(Html.esc(q))
                    .append("\">JSON</a></p>");
            b.append(
                    "<table><thead><tr><th>term</th><th class=\"num\">total</th><th class=\"num\">active</th></tr></thead><tbody>");
            for (var e : c.breakdown().entrySet())
                b.append("<tr><td>")
                        .append(e.getKey().key())
                        .append("</td><td class=\"num\">")
                        .append(fmt(e.getValue()))
                        .append("</td><td class=\"num\">")
                        .append(fmt(c.active(e.getKey())))
                        .append("</td></tr>");
            b.append("</tbody></table><p class=\"note\">Source of the published figure: ")
                    .append(Html.esc(selected.source()))
                    .append("</p>");
            if (!selected.note().isEmpty())
                b.append("<p class=\"note\">").append(Html.esc(selected.note())).append("</p>");
        }
        b.append(
                        "<h2>All presets</h2><table id=\"presets\"><thead><tr><th>id</th><th>name</th><th class=\"num\">total</th>")
                .append("<th class=\"num\">active</th><th>published</th></tr></thead><tbody>");
        for (Preset p : PresetCatalog.all()) {
            ParameterCount c = Parameters.count(p.spec());
            b.append("<tr><td><a href=\"/models?model=")
                    .append(Html.esc(p.id()))
                    .append("\">")
                    .append(Html.esc(p.id()))
                    .append("</a></td><td>")
                    .append(Html.esc(p.name()))
                    .append("</td><td class=\"num\">")
                    .append(fmt(c.total()))
                    .append("</td><td class=\"num\">")
                    .append(fmt(c.active()))
                    .append("</td><td>")
                    .append(Html.esc(p.publishedText()))
                    .append("</td></tr>");
        }
        b.append(
                "</tbody></table><p class=\"downloads\"><a href=\"/api/presets?format=csv\">CSV</a><a href=\"/api/presets\">JSON</a></p>");
        return new Page(status, Html.page("Models", "Models", b.toString()));
    }

    /** Bar-like chart of the parameter terms of a preset (billions), total and active. */
    public static JFreeChart chart(String model) {
        ObjectNode d = chartData(model);
        List<String> terms = new ArrayList<>();
        d.get("terms").forEach(t -> terms.add(t.asText()));
        Map<String, double[]> values = new LinkedHashMap<>();
        for (JsonNode s : d.get("series")) {
            double[] v = new double[terms.size()];
            for (int i = 0; i < v.length; i++) v[i] = s.get("billions").get(i).doubleValue();
            values.put(s.get("name").asText(), v);
        }
        return Charts.stackedBars(d.get("title").asText(), d.get("valueLabel").asText(), terms, values);
    }

    /**
     * The figures of {@link #chart} ({@code /chart/params.json}): the preset's parameter terms and, for each, its
     * active and inactive parameters in billions.
     */
    public static ObjectNode chartData(String model) {
        Preset p = PresetCatalog.get(model);
        ParameterCount c = Parameters.count(p.spec());
        ObjectNode out = dev.strata.web.render.Render.MAPPER.createObjectNode();
        out.put("title", p.name() + ": parameters by term");
        out.put("valueLabel", "billions of parameters");
        ArrayNode terms = out.putArray("terms");
        for (ParamComponent k : c.breakdown().keySet()) terms.add(k.key());
        ArrayNode series = out.putArray("series");
        ArrayNode active = series.addObject().put("name", "active").putArray("billions");
        ArrayNode inactive = series.addObject()
                .put("name", "inactive (routed experts not chosen)")
                .putArray("billions");
        for (ParamComponent k : c.breakdown().keySet()) {
            active.add(c.active(k) / 1e9);
            inactive.add((c.total(k) - c.active(k)) / 1e9);
        }
        return out;
    }

    private static String card(String label, Long value, String text) {
        return "<div class=\"card\"><div class=\"label\">" + Html.esc(label) + "</div><div class=\"value\">"
                + (value != null ? fmt(value) : Html.esc(text)) + "</div></div>";
    }

    static String fmt(long v) {
        return String.format(Locale.ROOT, "%,d", v);
    }
}
