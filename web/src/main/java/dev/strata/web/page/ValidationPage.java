package dev.strata.web.page;

import dev.strata.data.ReferenceRun;
import dev.strata.data.validation.Validation;
import dev.strata.model.InvalidFieldException;
import dev.strata.web.report.ValidationReport;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jfree.chart.JFreeChart;

/**
 * The validation page: strata's estimates against the shipped runs of the reference stack (the report of
 * {@code strata validate --report} and {@code GET /api/validate}), one quantity at a time: a scatter of estimate vs
 * measured with the y = x line, the summary per quantity and format, and every point with its error.
 */
public final class ValidationPage {
    private ValidationPage() {}

    /** The runs a user can pick, by device (the note under the form names the machine and versions from the run). */
    private static final Map<String, String> RUNS = Map.of("cpu", "CPU (this kind of machine)", "cuda", "GPU (CUDA)");

    /**
     * The page for {@code quantity} (default: decode time per token) of the shipped run of {@code device} (default
     * {@code cpu}); status 400 for an unknown quantity or device, else 200.
     */
    public static Page render(String quantity, String device) {
        boolean noDevice = device == null || device.isBlank();
        if ((noDevice && (quantity == null || quantity.isBlank())) || PUBLISHED.equals(device)) return published();
        int status = 200;
        String q = quantity == null || quantity.isBlank() ? "decode_seconds_per_token" : quantity.trim();
        String d = Validation.deviceOrDefault(device);
        String error = null, deviceError = null;
        if (!quantities().contains(q)) {
            error = new InvalidFieldException("quantity", q, "one of " + String.join(", ", quantities())).getMessage();
            status = 400;
        }
        try {
            ReferenceRun.checkDevice("device", d);
        } catch (InvalidFieldException e) {
            deviceError = e.getMessage();
            status = 400;
            d = "cpu";
        }
        Validation v = Validation.shipped(d);
        StringBuilder b = new StringBuilder();
        b.append(FORM)
                .append("<label")
                .append(deviceError == null ? "" : " class=\"invalid\"")
                .append(">Run<select name=\"device\" id=\"device\">");
        b.append("<option value=\"published\">Published GPU runs (TensorRT-LLM)</option>");
        for (String x : ReferenceRun.DEVICES)
            b.append("<option value=\"")
                    .append(x)
                    .append('"')
                    .append(x.equals(d) ? " selected" : "")
                    .append('>')
                    .append(Html.esc(RUNS.get(x)))
                    .append("</option>");
        b.append("</select>");
        if (deviceError != null)
            b.append("<span class=\"field-error\" id=\"error-device\">")
                    .append(Html.esc(deviceError))
                    .append("</span>");
        b.append("</label><label")
                .append(error == null ? "" : " class=\"invalid\"")
                .append(">Quantity<select name=\"quantity\" id=\"quantity\">");
        for (String x : quantities())
            b.append("<option value=\"")
                    .append(Html.esc(x))
                    .append('"')
                    .append(x.equals(q) ? " selected" : "")
                    .append('>')
                    .append(Html.esc(x))
                    .append("</option>");
        b.append("</select>");
        if (error != null)
            b.append("<span class=\"field-error\" id=\"error-quantity\">")
                    .append(Html.esc(error))
                    .append("</span>");
        b.append("</label><button type=\"submit\">Show</button></form>");
        // charts.js draws the scatter again with uPlot, each point's model, batch and context on hover (on both views:
        // a live switch from the published view brings the chart but not its scripts)
        b.append(Html.chartScripts("charts.js"));
        dev.strata.model.Microbenchmarks measured = v.run().calibration(); // the calibrations averaged once
        b.append("<p class=\"note\">Measured: the shipped reference run of PyTorch, ")
                .append(Html.esc(RUNS.get(d)))
                .append(" (")
                .append(Html.esc(measured.machine()))
                .append(", ")
                .append(Html.esc(measured.date()))
                .append("). Reproduce with <code>data/reference/run.py --full")
                .append(d.equals("cpu") ? "" : " --device cuda")
                .append("</code> and <code>./strata validate</code> (docs/validation.md).</p>");
        Validation.CalibrationDrift drift = v.calibrationDrift();
        if (drift != null && drift.products() > 0)
            b.append(
                            "<p class=\"note\" id=\"drift\">The host was calibrated before the points and again after them; the estimates use the two ")
                    .append("averaged. From the first to the second, the time of its matrix products changed by ")
                    .append(signedPct(drift.productTimeMedian()))
                    .append(" in the median (")
                    .append(signedPct(drift.productTimeMin()))
                    .append(" to ")
                    .append(signedPct(drift.productTimeMax()))
                    .append("), the stream's by ")
                    .append(signedPct(drift.streamTime()))
                    .append(".</p>");
        b.append(
                        "<h2>Summary</h2><table id=\"summary\"><thead><tr><th>quantity</th><th>format</th><th class=\"num\">points</th>")
                .append(
                        "<th class=\"num\">median |error|</th><th class=\"num\">max |error|</th><th>floor &le; measured</th></tr></thead><tbody>");
        for (String x : quantities())
            for (String dtype : List.of("fp32", "bf16")) {
                Validation.Summary s = v.summary(x, dtype, 1, Long.MAX_VALUE);
                if (s.points() == 0) continue;
                b.append("<tr><td>")
                        .append(Html.esc(x))
                        .append("</td><td>")
                        .append(dtype)
                        .append("</td><td class=\"num\">")
                        .append(s.points())
                        .append("</td><td class=\"num\">")
                        .append(pct(s.medianAbsRelativeError()))
                        .append("</td><td class=\"num\">")
                        .append(pct(s.maxAbsRelativeError()))
                        .append("</td><td>")
                        .append(s.floorIsLowerBound() ? "yes" : "no")
                        .append("</td></tr>");
            }
        b.append("</tbody></table>");
        // the targets (those of the CPU run; the GPU run is held to the same ones), as validate --report prints
        // them
        b.append("<h2>Targets</h2><table id=\"targets\"><thead><tr><th>target</th><th class=\"num\">points</th>")
                .append("<th class=\"num\">achieved</th><th>met</th></tr></thead><tbody>");
        for (Validation.TargetResult t : v.targets()) {
            String achieved = t.target().statistic() == Validation.Statistic.FLOOR
                    ? (t.met() ? "every point" : "not every point")
                    : Double.isNaN(t.achieved()) ? "–" : pct(t.achieved());
            b.append("<tr><td>")
                    .append(Html.esc(t.target().description()))
                    .append("</td><td class=\"num\">")
                    .append(t.summary().points())
                    .append("</td><td class=\"num\">")
                    .append(achieved)
                    .append("</td><td>")
                    .append(t.met() ? "yes" : "<strong>no</strong>")
                    .append("</td></tr>");
        }
        String api = "/api/validate?" + Html.esc(Html.query(Map.of("device", d)));
        b.append("</tbody></table><p class=\"downloads\"><a href=\"")
                .append(api)
                .append("&amp;format=csv\">CSV</a><a href=\"")
                .append(api)
                .append("\">JSON</a></p>");
        if (error == null) {
            Map<String, String> params = new java.util.LinkedHashMap<>();
            params.put("quantity", q);
            params.put("device", d);
            String query = Html.query(params);
            b.append("<h2>")
                    .append(Html.esc(q))
                    .append(": estimate vs measured</h2>")
                    .append(Html.chartBox(
                            "validation-plot",
                            "figure",
                            "/chart/validation.json?" + query,
                            "validation-chart",
                            "estimate vs measured",
                            "/chart/validation.png?" + query,
                            ""))
                    .append("<p class=\"downloads\"><a href=\"/chart/validation.svg?")
                    .append(Html.esc(query))
                    .append("\">SVG</a></p>");
            b.append(
                            "<table id=\"points\"><thead><tr><th>model</th><th>format</th><th class=\"num\">batch</th><th class=\"num\">context</th>")
                    .append(
                            "<th class=\"num\">measured</th><th class=\"num\">estimated</th><th class=\"num\">floor</th><th class=\"num\">error</th></tr></thead><tbody>");
            for (Validation.Row r : v.rows()) {
                if (!r.quantity().equals(q)) continue;
                b.append("<tr><td>")
                        .append(Html.esc(r.model()))
                        .append("</td><td>")
                        .append(Html.esc(r.dtype()))
                        .append("</td><td class=\"num\">")
                        .append(r.batch())
                        .append("</td><td class=\"num\">")
                        .append(r.context())
                        .append("</td><td class=\"num\">")
                        .append(num(q, r.measured()))
                        .append("</td><td class=\"num\">")
                        .append(num(q, r.estimated()))
                        .append("</td><td class=\"num\">")
                        .append(Double.isNaN(r.floor()) ? "" : num(q, r.floor()))
                        .append("</td><td class=\"num\">")
                        .append(signedPct(r.relativeError()))
                        .append("</td></tr>");
            }
            b.append("</tbody></table>");
        }
        return new Page(status, Html.page("Validation", "Validation", b.toString()));
    }

    /**
     * The form of both views, live (live.js): a change shows the other run or quantity without a page load, the URL
     * following; the published view has no quantity, so switching views rebuilds the form's fields. Selects only, and
     * both views are read from shipped data, so nothing heavy waits for a button.
     */
    private static final String FORM =
            "<form class=\"inputs\" id=\"validation-form\" data-live method=\"get\" action=\"/validation\">";

    /** The run id of the published GPU measurements (the page's default view). */
    public static final String PUBLISHED = "published";

    /**
     * The GPU performance model against the published GPU runs ({@code validate --published}): a verdict per device,
     * model, metric and batch, the cross-validation, the targets and every point.
     */
    static Page published() {
        var report = dev.strata.web.report.PublishedReport.of();
        StringBuilder b = new StringBuilder();
        b.append(FORM)
                .append("<label>Run<select name=\"device\"")
                .append(
                        " id=\"device\"><option value=\"published\" selected>Published GPU runs (TensorRT-LLM)</option>");
        for (String x : ReferenceRun.DEVICES)
            b.append("<option value=\"")
                    .append(x)
                    .append("\">")
                    .append(Html.esc(RUNS.get(x)))
                    .append("</option>");
        b.append("</select></label><button type=\"submit\">Show</button></form>");
        b.append(Html.chartScripts("charts.js")); // for the shipped runs' chart, after a live switch to them
        b.append(
                        "<p class=\"note\">Measured by others: the TensorRT-LLM 0.9 performance tables (static batching on A100,")
                .append(
                        " H100, H200 and L40S; Llama 2 7B/70B, Mistral 7B, Mixtral 8x7B; fp16 and fp8). Estimated: the GPU")
                .append(
                        " performance model fitted to them, engine trtllm. Error = estimated / measured time &minus; 1.")
                .append(" Reproduce with <code>./strata validate --published</code> (docs/validation.md).</p>");
        b.append("<h2>Verdict</h2><table id=\"published-summary\"><thead><tr><th>by</th><th>group</th>")
                .append(
                        "<th class=\"num\">points</th><th class=\"num\">median |error|</th><th class=\"num\">median error</th>")
                .append("<th class=\"num\">within &plusmn;25 %</th><th>verdict</th></tr></thead><tbody>");
        for (var row : report.get("summary"))
            b.append("<tr><td>")
                    .append(Html.esc(row.get("by").asText()))
                    .append("</td><td>")
                    .append(Html.esc(groupName(row.get("group").asText())))
                    .append("</td><td class=\"num\">")
                    .append(row.get("points").asInt())
                    .append("</td><td class=\"num\">")
                    .append(pct(row.get("medianAbsError").asDouble()))
                    .append("</td><td class=\"num\">")
                    .append(signedPct(row.get("medianError").asDouble()))
                    .append("</td><td class=\"num\">")
                    .append(row.get("within25").asInt())
                    .append("</td><td>")
                    .append(Html.esc(row.get("verdict").asText()))
                    .append("</td></tr>");
        b.append("</tbody></table><h2>Cross-validation</h2><table id=\"cross-validation\"><thead><tr><th>fit</th>")
                .append("<th class=\"num\">median |error|</th><th class=\"num\">within &plusmn;25 %</th>")
                .append("<th class=\"num\">p80 |error|</th></tr></thead><tbody>");
        for (var row : report.get("crossValidation"))
            b.append("<tr><td>")
                    .append(Html.esc(row.get("fit").asText()))
                    .append("</td><td class=\"num\">")
                    .append(pct(row.get("medianAbsError").asDouble()))
                    .append("</td><td class=\"num\">")
                    .append(row.get("within25").asInt())
                    .append(" of ")
                    .append(row.get("points").asInt())
                    .append("</td><td class=\"num\">")
                    .append(pct(row.get("p80AbsError").asDouble()))
                    .append("</td></tr>");
        b.append("</tbody></table><h2>Targets</h2><table id=\"targets\"><thead><tr><th>target</th>")
                .append("<th>met</th></tr></thead><tbody>");
        for (var row : report.get("targets"))
            b.append("<tr><td>")
                    .append(Html.esc(row.get("target").asText()))
                    .append("</td><td>")
                    .append(row.get("met").asBoolean() ? "yes" : "<strong>no</strong>")
                    .append("</td></tr>");
        b.append("</tbody></table><h2>Points</h2><table id=\"points\"><thead><tr><th>device</th><th>model</th>")
                .append(
                        "<th>weights</th><th class=\"num\">tp</th><th class=\"num\">batch</th><th class=\"num\">prompt</th>")
                .append("<th class=\"num\">output</th><th>metric</th><th class=\"num\">measured</th>")
                .append(
                        "<th class=\"num\">estimated</th><th class=\"num\">floor</th><th class=\"num\">error</th></tr></thead><tbody>");
        for (var row : report.get("points"))
            b.append("<tr><td>")
                    .append(Html.esc(row.get("hardware").asText()))
                    .append("</td><td>")
                    .append(Html.esc(row.get("model").asText()))
                    .append("</td><td>")
                    .append(Html.esc(row.get("weights").asText()))
                    .append("</td><td class=\"num\">")
                    .append(row.get("tp").asInt())
                    .append("</td><td class=\"num\">")
                    .append(row.get("batch").asLong())
                    .append("</td><td class=\"num\">")
                    .append(row.get("prompt").asLong())
                    .append("</td><td class=\"num\">")
                    .append(row.get("generate").asLong())
                    .append("</td><td>")
                    .append(row.get("metric").asText().equals("ttft_ms") ? "first token" : "whole run")
                    .append("</td><td class=\"num\">")
                    .append(Show.seconds(row.get("measuredSeconds").asDouble()))
                    .append("</td><td class=\"num\">")
                    .append(Show.seconds(row.get("calibratedSeconds").asDouble()))
                    .append("</td><td class=\"num\">")
                    .append(Show.seconds(row.get("floorSeconds").asDouble()))
                    .append("</td><td class=\"num\">")
                    .append(signedPct(row.get("relativeError").asDouble()))
                    .append(row.get("excused").asText().isEmpty() ? "" : " (excused)")
                    .append("</td></tr>");
        b.append("</tbody></table>");
        return new Page(200, Html.page("Validation", "Validation", b.toString()));
    }

    /** A summary group for people: the published metrics by what they measure, other groups as they are. */
    static String groupName(String group) {
        return switch (group) {
            case "ttft_ms" -> "time to first token";
            case "output_tokens_per_s_per_gpu" -> "output tokens/s per GPU (whole run)";
            case "1" -> "batch 1";
            case "more than 1" -> "batch above 1";
            default -> group;
        };
    }

    /** The scatter of estimate vs measured for one quantity of a device's shipped run, with the y = x line. */
    public static JFreeChart chart(String quantity, String device) {
        return figure(quantity, device).chart();
    }

    /** The series of {@link #chart} ({@code /chart/validation.json}), each point with its model, batch and context. */
    public static dev.strata.web.chart.Figure figure(String quantity, String device) {
        if (quantity == null || !quantities().contains(quantity))
            throw new InvalidFieldException("quantity", quantity, "one of " + String.join(", ", quantities()));
        return ValidationReport.figure(Validation.shipped(device), quantity);
    }

    private static List<String> quantities() {
        List<String> all = new java.util.ArrayList<>(Validation.QUANTITIES);
        for (String q : Validation.LATENCY_QUANTITIES) if (!all.contains(q)) all.add(q);
        return all;
    }

    private static String pct(double f) {
        return Double.isNaN(f) ? "-" : String.format(Locale.ROOT, "%.1f %%", f * 100);
    }

    /** A signed percentage to 0.1 %; one that rounds to zero is "0.0 %", not "-0.0 %" or "+0.0 %". */
    static String signedPct(double f) {
        String s = String.format(Locale.ROOT, "%+.1f %%", f * 100);
        return s.substring(1).equals("0.0 %") ? "0.0 %" : s;
    }

    /** A value of {@code quantity} for readers: bytes, FLOPs and times with their units, counts with separators. */
    static String num(String quantity, double v) {
        if (quantity.contains("bytes")) return Show.bytes(v);
        if (quantity.contains("seconds")) return Show.seconds(v);
        if (quantity.contains("flops")) return Show.flops(v);
        return Show.count(v);
    }
}
