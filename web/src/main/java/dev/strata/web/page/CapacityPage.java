package dev.strata.web.page;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.strata.data.Preset;
import dev.strata.data.PresetCatalog;
import dev.strata.model.InvalidFieldException;
import dev.strata.web.chart.Charts;
import dev.strata.web.chart.Series;
import dev.strata.web.report.PlanReport;
import dev.strata.web.report.ResolvedModel;
import dev.strata.web.report.SimulateReport;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import org.jfree.chart.JFreeChart;

/**
 * The capacity page: for a model, a request rate with prompt and output lengths, and service levels (time to first
 * token and time per output token at the 90th percentile), the cheapest deployments that meet them and how much
 * faster a traffic each sustains. Every figure is {@code GET /api/plan}'s answer for the same query ({@link
 * PlanReport}); the latency chart simulates the best deployment as {@code GET /api/simulate} does.
 */
public final class CapacityPage {
    /** The form's fields, named as the query parameters of {@code /api/plan}. */
    public static final List<String> FIELDS = List.of(
            "model",
            "rate",
            "prompt",
            "generate",
            "ttft-p90-ms",
            "tpot-p90-ms",
            "hardware",
            "mode",
            "engine",
            "client",
            "device-memory-gib",
            "bandwidth-gbs",
            "peak-tflops",
            "price");

    /** What a first visit asks: Llama 3 8B at 10 requests per second, 500 ms to the first token, 50 ms per token. */
    static final Map<String, String> DEFAULTS = Map.of(
            "model", "llama-3-8b",
            "rate", "10",
            "prompt", "lognormal:1024:0.5",
            "generate", "256",
            "ttft-p90-ms", "500",
            "tpot-p90-ms", "50");

    /** The request rates of the latency chart, as fractions of the best deployment's largest sustained rate. */
    static final double[] CHART_FRACTIONS = {0.25, 0.4, 0.55, 0.7, 0.85, 1.0};

    /** Most requests one simulation of the latency chart takes (each rate is one simulation). */
    static final int CHART_MAX_REQUESTS = 4_000;

    private CapacityPage() {}

    /** The submitted values: a parameter that is absent takes its default; one sent empty means the plan's default. */
    public static Map<String, String> values(Function<String, String> query) {
        return Form.values(FIELDS, n -> query.apply(n) != null ? query.apply(n) : DEFAULTS.get(n));
    }

    /** Recent plans by query: the page and its two charts ask for the same plan within a second or two. */
    private static final Map<String, ObjectNode> RECENT = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, ObjectNode> eldest) {
            return size() > 16;
        }
    };

    /**
     * {@code /api/plan}'s answer for the page's values ({@link PlanReport#of} with the HTTP limit on candidates): the
     * model and each hardware id must be catalog ids (the server reads no files).
     */
    public static ObjectNode plan(Map<String, String> values) {
        String key = Html.query(values);
        synchronized (RECENT) {
            ObjectNode hit = RECENT.get(key);
            if (hit != null) return hit;
        }
        String model = values.get("model");
        if (model == null || model.isBlank())
            throw new InvalidFieldException("model", model, "present (a preset id; see /api/presets)");
        String hardware = blankToNull(values.get("hardware"));
        if (hardware != null) for (String id : hardware.split(",")) ResolvedModel.catalogId("hardware", id.trim());
        ObjectNode plan = PlanReport.of(
                ResolvedModel.of(ResolvedModel.catalogId("model", model)),
                name -> blankToNull(values.get(name)),
                "",
                PlanReport.HTTP_MAX_CANDIDATES);
        synchronized (RECENT) {
            RECENT.put(key, plan);
        }
        return plan;
    }

    private static String blankToNull(String v) {
        return v == null || v.isBlank() ? null : v;
    }

    /** The page for the query's values; status 400 when an input was refused (its message next to the field). */
    public static Page render(Function<String, String> query) {
        Map<String, String> values = values(query);
        Map<String, String> errors = new LinkedHashMap<>();
        ObjectNode plan = null;
        try {
            plan = plan(values);
        } catch (IllegalArgumentException e) {
            errors.put(TrainingPage.field(e), e.getMessage());
        }
        Form form = new Form(values, errors);
        String q = Html.query(values);

        StringBuilder b = new StringBuilder();
        b.append(
                "<p class=\"note\">The cheapest deployments that serve this traffic within the service levels, found by"
                        + " simulating candidates (device, devices per replica, weight format, scheduler limits, expert"
                        + " parallelism, prefill and decode together or in separate pools, replicas) as"
                        + " <code>strata plan</code> and <code>/api/plan</code> do.</p>");
        b.append("<form class=\"inputs\" id=\"capacity\" data-live method=\"get\" action=\"/capacity\">");
        List<String[]> models = new ArrayList<>();
        for (Preset p : PresetCatalog.all()) models.add(new String[] {p.id(), p.name()});
        b.append(form.select("Model", "model", models))
                .append(form.input("Requests per second", "rate", "e.g. 10", "decimal"))
                .append(form.input("Prompt tokens", "prompt", "1024, or lognormal:MEAN:SIGMA"))
                .append(form.input("Output tokens", "generate", "256, or uniform:A:B"))
                .append(form.input("Time to first token p90, ms", "ttft-p90-ms", "e.g. 500", "decimal"))
                .append(form.input("Time per output token p90, ms", "tpot-p90-ms", "e.g. 50", "decimal"))
                .append(form.input("Hardware (ids, comma-separated)", "hardware", "every priced GPU"))
                .append(form.select(
                        "Prefill and decode",
                        "mode",
                        List.of(
                                new String[] {"", "together or in separate pools"},
                                new String[] {"aggregated", "together (aggregated)"},
                                new String[] {"disaggregated", "separate pools (disaggregated)"})))
                .append(form.select(
                        "Engine",
                        "engine",
                        List.of(
                                new String[] {"", "TensorRT-LLM (default)"},
                                new String[] {"vllm", "vLLM"},
                                new String[] {"sglang", "SGLang"})))
                .append(form.select(
                        "First token counted from",
                        "client",
                        List.of(new String[] {"", "the engine"}, new String[] {"http", "the client (over HTTP)"})));
        // a custom device from the hardware page: its changes ride along, named and removable
        List<String> custom = new ArrayList<>();
        for (String n : PlanReport.DEVICE_OVERRIDES)
            if (values.get(n) != null && !values.get(n).isBlank()) {
                b.append("<input type=\"hidden\" name=\"")
                        .append(n)
                        .append("\" value=\"")
                        .append(Html.esc(values.get(n)))
                        .append("\">");
                custom.add(n + " = " + values.get(n));
            }
        b.append("<button type=\"submit\">Plan</button>");
        if (!custom.isEmpty()) {
            Map<String, String> plain = new LinkedHashMap<>(values);
            PlanReport.DEVICE_OVERRIDES.forEach(plain::remove);
            b.append("<p class=\"wide note\" id=\"custom-device\">Custom device: ")
                    .append(Html.esc(values.get("hardware")))
                    .append(" with ")
                    .append(Html.esc(String.join(", ", custom)))
                    .append(" (from the <a href=\"/hardware\">Hardware</a> page). <a href=\"/capacity?")
                    .append(Html.esc(Html.query(plain)))
                    .append("\">Plan without it</a></p>");
        }
        b.append("</form>");
        b.append("<p class=\"note\">Lengths are a number or a distribution: <code>lognormal:MEAN:SIGMA</code>,"
                + " <code>uniform:A:B</code>. Hardware ids are listed on the <a href=\"/hardware\">Hardware</a> page."
                + " Counted from the client, each request also spends the engine's HTTP server time (parsing, chat"
                + " template, tokenisation; fitted for vLLM and SGLang) before it reaches the engine."
                + " The search takes a few seconds.</p>");
        b.append(form.otherErrors());
        if (plan != null) {
            // charts.js draws the charts again with uPlot, values on hover (the images stay without JavaScript)
            b.append(Html.chartScripts("charts.js"));
            result(b, plan, q);
        }
        return new Page(errors.isEmpty() ? 200 : 400, Html.page("Capacity", "Capacity", b.toString()));
    }

    private static void result(StringBuilder b, ObjectNode plan, String q) {
        JsonNode list = plan.get("deployments");
        double rate = plan.get("rateRequestsPerSecond").doubleValue();
        b.append("<h2>Deployments</h2>");
        if (list.isEmpty()) {
            b.append("<div class=\"error-box\" id=\"no-deployment\">")
                    .append(noDeployment(plan))
                    .append("</div>");
        } else {
            JsonNode best = list.get(0);
            double max = best.get("maxRateRequestsPerSecond").asDouble(Double.NaN);
            b.append("<div class=\"cards\" id=\"best-cards\">")
                    .append(TrainingPage.cardHtml(
                            "Cheapest",
                            Html.esc(usdPerHour(best.get("costPerHourUsd").doubleValue())),
                            layout(best)))
                    .append(TrainingPage.cardHtml(
                            "Per million output tokens",
                            Html.esc(usd2(
                                    best.get("costPerMillionOutputTokensUsd").doubleValue())),
                            Show.count(best.get("outputTokensPerSecond").doubleValue()) + " output tokens/s"))
                    .append(TrainingPage.cardHtml(
                            "Headroom",
                            Html.esc(Double.isFinite(max) ? Show.fixed(max / rate, 2) + " ×" : "–"),
                            "sustains " + Show.sig(max) + " requests/s within both levels; asked " + Show.sig(rate)))
                    .append(TrainingPage.cardHtml(
                            "Latency p90",
                            Html.esc(Show.seconds(best.get("ttftSeconds").doubleValue())) + " · "
                                    + Html.esc(
                                            Show.seconds(best.get("tpotSeconds").doubleValue())),
                            "first token · per output token, at " + Show.sig(rate) + " requests/s"))
                    .append("</div>");
            table(b, list, rate);
        }
        b.append("<p class=\"note\">")
                .append(Show.count(plan.get("candidates").longValue()))
                .append(" candidates, ")
                .append(Show.count(plan.get("candidatesAfterPruning").longValue()))
                .append(" after the memory and latency bounds, ")
                .append(Show.count(plan.get("simulations").longValue()))
                .append(" simulated (engine ")
                .append(Html.esc(plan.get("engine").asText()))
                .append(", Poisson arrivals, round-robin router).")
                .append(
                        list.isEmpty()
                                ? ""
                                : " Headroom is the largest rate the deployment serves within both levels, over the asked"
                                        + " rate.")
                .append("</p>");
        b.append("<p class=\"downloads\"><a id=\"plan-csv\" href=\"/api/plan?")
                .append(Html.esc(q))
                .append("&amp;format=csv\">CSV</a><a id=\"plan-json\" href=\"/api/plan?")
                .append(Html.esc(q))
                .append("\">JSON</a></p>");
        if (!plan.get("pareto").isEmpty()) {
            b.append("<h2>Throughput frontier</h2>");
            chart(
                    b,
                    "capacity-frontier",
                    "frontier-chart",
                    "output tokens per second per device against per user",
                    q,
                    "frontier-plot",
                    "frontier",
                    "/api/plan?" + q);
            long met = 0;
            for (JsonNode p : plan.get("pareto"))
                if (p.path("meetsServiceLevels").asBoolean(true)) met++;
            b.append("<p class=\"note\" id=\"frontier-note\">")
                    .append(plan.get("pareto").size())
                    .append(" points, ")
                    .append(met)
                    .append(" of them within both levels (filled; hollow: misses one). Each point a deployment")
                    .append(" simulated at the asked rate, or one replica with a fixed number of requests in flight")
                    .append(" (1, 2, 4, ...), that no other simulated beats on both axes; per user is one over the")
                    .append(" median (p50) time per output token.</p>");
            b.append("<p class=\"downloads\"><a id=\"frontier-csv\" href=\"/api/plan?")
                    .append(Html.esc(q))
                    .append("&amp;format=csv&amp;rows=pareto\">Frontier CSV</a></p>");
        }
        if (!list.isEmpty()) {
            b.append("<h2>Latency of the cheapest against request rate</h2>");
            chart(
                    b,
                    "capacity-latency",
                    "latency-chart",
                    "latency percentiles against request rate",
                    q,
                    "latency-plot",
                    "latency",
                    "/chart/capacity-latency.json?" + q);
            b.append("<p class=\"note\">The cheapest deployment simulated as <code>/api/simulate</code> does at ")
                    .append(CHART_FRACTIONS.length)
                    .append(" rates from a quarter of its largest sustained rate up to it; dashed lines: the"
                            + " asked rate and the two service levels.</p>");
        }
    }

    /**
     * A chart: the server's image (for export and pages without JavaScript) in a box that charts.js draws again as an
     * interactive chart from {@code src}'s JSON, values on hover.
     */
    private static void chart(
            StringBuilder b, String name, String id, String alt, String q, String boxId, String kind, String src) {
        b.append(Html.chartBox(
                boxId,
                kind,
                src,
                id,
                alt,
                "/chart/" + name + ".png?" + q + "&width=900&height=480",
                " width=\"900\" height=\"480\""));
        b.append("<p class=\"downloads\">Chart: <a href=\"/chart/")
                .append(name)
                .append(".png?")
                .append(Html.esc(q))
                .append("&amp;width=900&amp;height=480\">PNG</a><a href=\"/chart/")
                .append(name)
                .append(".svg?")
                .append(Html.esc(q))
                .append("&amp;width=900&amp;height=480\">SVG</a></p>");
    }

    private static void table(StringBuilder b, JsonNode list, double rate) {
        b.append("<div class=\"table-scroll\"><table id=\"deployments\"><thead><tr><th>#</th><th>hardware</th>"
                + "<th class=\"num\">devices</th><th class=\"num\">tp × pp × ep</th><th class=\"num\">replicas</th>"
                + "<th>weights · KV</th><th>mode, <abbr title=\"the scheduler's limits: most sequences running at"
                + " once · most tokens in one step\">limits</abbr></th><th class=\"num\">$/hour</th>"
                + "<th class=\"num\">$/M output tokens</th><th class=\"num\">TTFT p90</th>"
                + "<th class=\"num\">TPOT p90</th><th class=\"num\">max rate, req/s</th>"
                + "<th class=\"num\">headroom</th></tr></thead><tbody>");
        int i = 0;
        for (JsonNode d : list) {
            double max = d.get("maxRateRequestsPerSecond").asDouble(Double.NaN);
            b.append("<tr")
                    .append(i == 0 ? " class=\"chosen\"" : "")
                    .append("><td>")
                    .append(++i)
                    .append("</td><td>")
                    .append(Html.esc(d.get("hardware").asText()))
                    .append("</td><td class=\"num\">")
                    .append(d.get("devices").asInt())
                    .append("</td><td class=\"num\">")
                    .append(d.get("tp").asInt())
                    .append(" × ")
                    .append(d.get("pp").asInt())
                    .append(" × ")
                    .append(d.get("ep").asInt())
                    .append("</td><td class=\"num\">")
                    .append(d.get("replicas").asInt())
                    .append("</td><td>")
                    .append(Html.esc(d.get("weights").asText()))
                    .append(" · ")
                    .append(Html.esc(d.get("kv").asText()))
                    .append("</td><td>")
                    .append(Html.esc(d.get("mode").asText()))
                    .append("<br><small>")
                    .append(Show.count(d.path("maxSeqs").asLong()))
                    .append(" seqs · ")
                    .append(Show.count(d.path("maxBatchedTokens").asLong()))
                    .append(" tokens</small></td><td class=\"num\">")
                    .append(usdPerHour(d.get("costPerHourUsd").doubleValue()))
                    .append("</td><td class=\"num\">")
                    .append(usd2(d.get("costPerMillionOutputTokensUsd").doubleValue()))
                    .append("</td><td class=\"num\">")
                    .append(Html.esc(Show.seconds(d.get("ttftSeconds").doubleValue())))
                    .append("</td><td class=\"num\">")
                    .append(Html.esc(Show.seconds(d.get("tpotSeconds").doubleValue())))
                    .append("</td><td class=\"num\">")
                    .append(Show.sig(max))
                    .append("</td><td class=\"num\">")
                    .append(Double.isFinite(max) ? Show.fixed(max / rate, 2) + " ×" : "–")
                    .append("</td></tr>");
        }
        b.append("</tbody></table></div>");
    }

    /** Why nothing met the levels: the closest simulated deployment and what it misses, else what pruned them all. */
    static String noDeployment(ObjectNode plan) {
        double ttft = plan.get("ttftP90Seconds").doubleValue(),
                tpot = plan.get("tpotP90Seconds").doubleValue();
        StringBuilder b = new StringBuilder("<p><b>No deployment meets both service levels at ")
                .append(Show.sig(plan.get("rateRequestsPerSecond").doubleValue()))
                .append(" requests/s.</b> ");
        JsonNode c = plan.get("closest");
        if (c != null) {
            b.append("The closest, ")
                    .append(Html.esc(layout(c)))
                    .append(" (")
                    .append(usdPerHour(c.get("costPerHourUsd").doubleValue()))
                    .append("), misses ");
            List<String> misses = new ArrayList<>();
            for (JsonNode m : c.get("misses"))
                misses.add(
                        m.asText().equals("ttft-p90-ms")
                                ? "the time to first token (p90 "
                                        + Show.seconds(c.get("ttftSeconds").doubleValue()) + " > " + Show.seconds(ttft)
                                        + ", <code>ttft-p90-ms</code>)"
                                : "the time per output token (p90 "
                                        + Show.seconds(c.get("tpotSeconds").doubleValue()) + " > " + Show.seconds(tpot)
                                        + ", <code>tpot-p90-ms</code>)");
            b.append(String.join(" and ", misses)).append(".</p>");
        } else b.append("No candidate was worth simulating.</p>");
        JsonNode p = plan.get("pruned");
        if (p != null) {
            b.append("<p>Dropped before simulation: ")
                    .append(Show.count(p.get("firstTokenOverTtft").longValue()))
                    .append(" whose prefill alone takes longer than the first-token level")
                    .append(
                            p.has("fastestFirstTokenSeconds")
                                    ? " (fastest "
                                            + Show.seconds(p.get("fastestFirstTokenSeconds")
                                                    .doubleValue()) + ")"
                                    : "")
                    .append(", ")
                    .append(Show.count(p.get("decodeStepOverTpot").longValue()))
                    .append(" whose decode step at batch 1 is over the per-token level")
                    .append(
                            p.has("fastestDecodeStepSeconds")
                                    ? " (fastest "
                                            + Show.seconds(p.get("fastestDecodeStepSeconds")
                                                    .doubleValue()) + ")"
                                    : "")
                    .append(", ")
                    .append(Show.count(p.get("doesNotFitMemory").longValue()))
                    .append(" that do not fit in memory, ")
                    .append(Show.count(p.get("needsOverMaxReplicas").longValue()))
                    .append(" that need too many replicas. Loosen a level, lower the rate or allow more"
                            + " hardware.</p>");
        }
        return b.toString();
    }

    /**
     * "2 × 4 h100-sxm (tp 4 × pp 1), fp8": replicas, devices per replica, device, split and weights (and the KV cache's
     * format where it is not the weights').
     */
    private static String layout(JsonNode d) {
        String kv = d.path("kv").asText(d.get("weights").asText());
        return d.get("replicas").asInt() + " × " + d.get("devices").asInt() + " "
                + d.get("hardware").asText()
                + " (tp " + d.get("tp").asInt() + " × pp " + d.get("pp").asInt() + "), "
                + d.get("weights").asText()
                + (kv.equals(d.get("weights").asText()) ? "" : ", KV " + kv);
    }

    /** $12.50/h */
    static String usdPerHour(double v) {
        return String.format(Locale.ROOT, "$%,.2f/h", v);
    }

    /** $0.23 (cents shown; three significant digits below a cent) */
    static String usd2(double v) {
        return v >= 0.01 ? String.format(Locale.ROOT, "$%,.2f", v) : "$" + Show.sig(v);
    }

    /**
     * The plan's Pareto frontier ({@code /chart/capacity-frontier.png}): output tokens per second per device against
     * per user, marker series per device (apart: those that miss a service level), the frontier as a line.
     */
    public static JFreeChart frontierChart(Function<String, String> query) {
        ObjectNode plan = plan(values(query));
        JsonNode pareto = plan.get("pareto");
        int n = pareto.size();
        double[] x = new double[n], y = new double[n];
        Map<String, List<double[]>> byDevice = new TreeMap<>();
        for (int i = 0; i < n; i++) {
            JsonNode p = pareto.get(i);
            x[i] = p.get("outputTokensPerSecondPerUser").doubleValue();
            y[i] = p.get("outputTokensPerSecondPerDevice").doubleValue();
            String name = p.get("hardware").asText()
                    + (p.path("meetsServiceLevels").asBoolean(true) ? "" : ", misses the levels");
            byDevice.computeIfAbsent(name, k -> new ArrayList<>()).add(new double[] {x[i], y[i]});
        }
        List<Series> points = new ArrayList<>();
        byDevice.forEach((device, xy) -> {
            double[] px = new double[xy.size()], py = new double[xy.size()];
            for (int i = 0; i < xy.size(); i++) {
                px[i] = xy.get(i)[0];
                py[i] = xy.get(i)[1];
            }
            points.add(new Series(device, px, py));
        });
        JFreeChart chart = Charts.linesAndPoints(
                "Throughput frontier of the simulated deployments and loads",
                "output tokens per second per user",
                "output tokens per second per device",
                false,
                false,
                List.of(new Series("frontier", x, y)),
                points);
        Charts.subtitle(chart, subtitle(plan));
        // from zero, so that one point or a few close ones get readable axes and the frontier reads as a trade-off
        var plot = chart.getXYPlot();
        plot.getDomainAxis().setRange(0, 1.15 * java.util.Arrays.stream(x).max().orElse(1));
        plot.getRangeAxis().setRange(0, 1.15 * java.util.Arrays.stream(y).max().orElse(1));
        return chart;
    }

    /** Recent latency sweeps by query: the page's image and its interactive chart ask for the same one. */
    private static final Map<String, ObjectNode> RECENT_LATENCY = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, ObjectNode> eldest) {
            return size() > 16;
        }
    };

    /** The percentiles of the latency chart, with their JSON names and their names in words. */
    private static final String[][] PERCENTILES = {
        {"ttft", "p50", "time to first token p50"},
        {"ttft", "p90", "time to first token p90"},
        {"ttft", "p99", "time to first token p99"},
        {"tpot", "p50", "time per output token p50"},
        {"tpot", "p90", "time per output token p90"},
        {"tpot", "p99", "time per output token p99"}
    };

    /**
     * The figures of the latency chart ({@code /chart/capacity-latency.json}): the plan's cheapest deployment
     * simulated at each rate of {@link #CHART_FRACTIONS} of its largest sustained rate, as {@link SimulateReport}
     * does, with time to first token and time per output token (p50, p90, p99, in milliseconds), the asked rate and
     * the two service levels.
     */
    public static ObjectNode latencyData(Function<String, String> query) {
        Map<String, String> values = values(query);
        String key = Html.query(values);
        synchronized (RECENT_LATENCY) {
            ObjectNode hit = RECENT_LATENCY.get(key);
            if (hit != null) return hit;
        }
        ObjectNode plan = plan(values);
        JsonNode list = plan.get("deployments");
        if (list.isEmpty())
            throw InvalidFieldException.withMessage(
                    "tpot-p90-ms", "no deployment meets both service levels: there is no latency to chart");
        JsonNode best = list.get(0);
        double asked = plan.get("rateRequestsPerSecond").doubleValue();
        double max = best.get("maxRateRequestsPerSecond").asDouble(asked);
        if (!(max > 0)) max = asked;
        int replicas = best.get("replicas").asInt();
        Map<String, String> sim = new LinkedHashMap<>();
        sim.put("hardware", best.get("hardware").asText());
        sim.put("devices", best.get("devices").asText());
        sim.put("tp", best.get("tp").asText());
        sim.put("pp", best.get("pp").asText());
        sim.put("weights", best.get("weights").asText());
        sim.put("kv", best.get("kv").asText());
        sim.put("replicas", Integer.toString(replicas));
        sim.put("max-seqs", best.get("maxSeqs").asText());
        sim.put("max-batched-tokens", best.get("maxBatchedTokens").asText());
        sim.put("prompt", blankToNull(values.get("prompt")));
        sim.put("generate", blankToNull(values.get("generate")));
        sim.put("requests", Integer.toString(Math.min(CHART_MAX_REQUESTS, 1000 * replicas)));
        sim.put("engine", blankToNull(values.get("engine")));
        sim.put("client", blankToNull(values.get("client")));
        for (String n : PlanReport.DEVICE_OVERRIDES) sim.put(n, blankToNull(values.get(n))); // a custom device
        ResolvedModel model = ResolvedModel.of(ResolvedModel.catalogId("model", values.get("model")));
        ObjectNode out = dev.strata.web.render.Render.MAPPER.createObjectNode();
        out.put("model", model.spec().name());
        out.put("deployment", layout(best));
        out.put("subtitle", subtitle(plan));
        out.put("rateRequestsPerSecond", asked);
        out.put("ttftP90LevelMs", 1e3 * plan.get("ttftP90Seconds").doubleValue());
        out.put("tpotP90LevelMs", 1e3 * plan.get("tpotP90Seconds").doubleValue());
        var points = out.putArray("points");
        for (double fraction : CHART_FRACTIONS) {
            String rate = Double.toString(max * fraction);
            ObjectNode r = SimulateReport.of(
                    model,
                    name -> name.equals("rate") ? rate : sim.get(name),
                    "",
                    null,
                    SimulateReport.HTTP_MAX_TOKENS);
            ObjectNode p = points.addObject();
            p.put("rateRequestsPerSecond", max * fraction);
            for (String[] k : PERCENTILES)
                p.put(
                        k[0] + k[1].toUpperCase(Locale.ROOT) + "Ms",
                        1e3 * r.at("/" + k[0] + "Seconds/" + k[1]).doubleValue());
        }
        synchronized (RECENT_LATENCY) {
            RECENT_LATENCY.put(key, out);
        }
        return out;
    }

    /**
     * Latency percentiles of the plan's cheapest deployment against request rate ({@code
     * /chart/capacity-latency.png}): time to first token and time per output token, p50, p90 and p99, each rate one
     * {@link SimulateReport} of that deployment (its device, split, formats, scheduler limits and replicas); the
     * figures of {@link #latencyData}.
     */
    public static JFreeChart latencyChart(Function<String, String> query) {
        ObjectNode d = latencyData(query);
        JsonNode points = d.get("points");
        int n = points.size();
        double[] rates = new double[n];
        double[][] ys = new double[PERCENTILES.length][n];
        for (int i = 0; i < n; i++) {
            JsonNode p = points.get(i);
            rates[i] = p.get("rateRequestsPerSecond").doubleValue();
            for (int k = 0; k < PERCENTILES.length; k++)
                ys[k][i] = p.get(PERCENTILES[k][0] + PERCENTILES[k][1].toUpperCase(Locale.ROOT) + "Ms")
                        .doubleValue();
        }
        List<Series> series = new ArrayList<>();
        for (int k = 0; k < PERCENTILES.length; k++) series.add(new Series(PERCENTILES[k][2], rates, ys[k]));
        JFreeChart chart = Charts.lines(
                d.get("model").asText() + ": latency of the cheapest deployment against request rate",
                "requests per second",
                "milliseconds",
                false,
                false,
                series);
        Charts.subtitle(
                chart, d.get("deployment").asText() + " · " + d.get("subtitle").asText());
        double asked = d.get("rateRequestsPerSecond").doubleValue();
        Charts.verticalLine(chart, asked, "asked " + Show.sig(asked) + " req/s ");
        double ttftMs = d.get("ttftP90LevelMs").doubleValue();
        double tpotMs = d.get("tpotP90LevelMs").doubleValue();
        Charts.horizontalLine(chart, ttftMs, "first-token p90 level " + Show.seconds(ttftMs / 1e3) + " ");
        Charts.horizontalLine(chart, tpotMs, "per-token p90 level " + Show.seconds(tpotMs / 1e3) + " ");
        // both levels in view: the axis from zero to above the highest line or level
        double top = Math.max(ttftMs, tpotMs);
        for (double[] y : ys) for (double v : y) top = Math.max(top, v);
        chart.getXYPlot().getRangeAxis().setRange(0, 1.1 * top);
        return chart;
    }

    private static String subtitle(ObjectNode plan) {
        return plan.get("model").asText() + " · "
                + Show.sig(plan.get("rateRequestsPerSecond").doubleValue())
                + " req/s · prompt " + plan.get("prompt").asText() + " · output "
                + plan.get("generate").asText()
                + " · p90 levels " + Show.seconds(plan.get("ttftP90Seconds").doubleValue()) + " / "
                + Show.seconds(plan.get("tpotP90Seconds").doubleValue());
    }
}
