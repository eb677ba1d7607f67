package dev.strata.web.page;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.strata.data.HardwareCatalog;
import dev.strata.data.HardwareEntry;
import dev.strata.data.Preset;
import dev.strata.data.PresetCatalog;
import dev.strata.data.validation.PublishedTraining;
import dev.strata.model.InvalidFieldException;
import dev.strata.model.Optimizer;
import dev.strata.model.Recompute;
import dev.strata.web.chart.Charts;
import dev.strata.web.report.Inputs;
import dev.strata.web.report.TrainReport;
import dev.strata.web.report.TrainingMemoryReport;
import dev.strata.web.report.WorkBudget;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import org.jfree.chart.JFreeChart;

/**
 * The training page: a run (model, hardware, devices, tokens, MFU, price) and its memory-side options (ZeRO stage,
 * recompute, parallelism, micro-batch, sequence length, optimizer, LoRA rank), all in the URL. It shows what
 * {@code GET /api/train} and {@code GET /api/training-memory} answer for the same query: training FLOPs, wall time,
 * device-hours, cost and energy, and memory per device for every ZeRO stage and recompute mode against the device's
 * capacity.
 */
public final class TrainingPage {
    /** The form's fields, named as the API's query parameters. */
    public static final List<String> FIELDS = List.of(
            "model",
            "hardware",
            "devices",
            "tokens",
            "mfu",
            "price",
            "zero",
            "recompute",
            "tp",
            "pp",
            "dp",
            "batch",
            "seq-len",
            "optimizer",
            "lora-rank",
            "interleave",
            "sequence-parallel",
            "global-batch",
            "search");

    /** Layouts the page's search lists. */
    public static final int SEARCH_TOP = 8;

    /** What a first visit shows (Llama 3 8B on 15T tokens, as Meta trained it, on 1,024 H100s). */
    static final Map<String, String> DEFAULTS = Map.of(
            "model",
            "llama-3-8b",
            "hardware",
            "h100-sxm",
            "devices",
            "1024",
            "tokens",
            "15e12",
            "zero",
            "1",
            "recompute",
            "selective",
            "tp",
            "1",
            "pp",
            "1",
            "batch",
            "1",
            "optimizer",
            "adamw");

    private static final String[] TERMS = {
        "weightsBytes",
        "gradientsBytes",
        "masterWeightsBytes",
        "optimizerStatesBytes",
        "activationsBytes",
        "runtimeOverheadBytes"
    };
    private static final String[] TERM_NAMES = {
        "weights", "gradients", "master weights", "optimizer states", "activations", "runtime overhead"
    };

    private TrainingPage() {}

    /** The submitted values: a parameter that is absent takes its default; one sent empty means "the estimator's default". */
    static Map<String, String> values(Function<String, String> query) {
        return Form.values(FIELDS, n -> query.apply(n) != null ? query.apply(n) : DEFAULTS.get(n));
    }

    public static Page render(Function<String, String> query) {
        Map<String, String> values = values(query);
        Inputs in = new Inputs(values::get);
        Map<String, String> errors = new LinkedHashMap<>();
        ObjectNode train = null, memory = null;
        try {
            // the page's parallelism fields size the memory table and, without an MFU, lay out the step-time model;
            // an MFU typed in is the page's answer to "how efficient": then the run is timed by it alone
            boolean mfuGiven = values.get("mfu") != null && !values.get("mfu").isBlank();
            // the step's micro-batch is the page's micro-batch field (batch); the search is a request of its own
            Inputs layoutIn = new Inputs(n -> n.equals("search") || n.equals("top")
                    ? null
                    : n.equals("micro-batch") ? values.get("batch") : values.get(n));
            Inputs run = mfuGiven
                    ? new Inputs(n -> TrainReport.LAYOUT_OPTIONS.contains(n) ? null : values.get(n))
                    : layoutIn;
            train = TrainReport.of(TrainReport.Request.from(run), WorkBudget.MAX_TRAINING_LAYOUTS);
        } catch (IllegalArgumentException e) {
            errors.put(field(e), e.getMessage());
        }
        try {
            memory = TrainingMemoryReport.of(in);
        } catch (IllegalArgumentException e) {
            errors.putIfAbsent(field(e), e.getMessage());
        }
        ObjectNode layouts = null;
        if ("true".equals(values.get("search"))) {
            // every layout of the devices that fits, by the layout search (bounded on the server): the page's model,
            // hardware, devices, tokens, price, sequence length and global batch; the searched fields left out
            java.util.Set<String> kept =
                    java.util.Set.of("model", "hardware", "devices", "tokens", "price", "seq-len", "global-batch");
            try {
                layouts = TrainReport.of(
                        TrainReport.Request.from(new Inputs(n -> n.equals("search")
                                ? "true"
                                : n.equals("top")
                                        ? Integer.toString(SEARCH_TOP)
                                        : kept.contains(n) ? values.get(n) : null)),
                        WorkBudget.MAX_TRAINING_LAYOUTS);
            } catch (IllegalArgumentException e) {
                errors.putIfAbsent(field(e), e.getMessage());
            }
        }
        Form form = new Form(values, errors);
        Map<String, String> linked = new LinkedHashMap<>(values);
        linked.remove("search"); // the run's and the chart's links answer for the run, not the search
        String q = Html.query(linked);

        StringBuilder b = new StringBuilder();
        b.append(
                "<form class=\"inputs\" id=\"training-form\" data-live data-live-off=\"search\" method=\"get\" action=\"/training\">");
        List<String[]> models = new ArrayList<>();
        for (Preset p : PresetCatalog.all()) models.add(new String[] {p.id(), p.name()});
        List<String[]> hardware = new ArrayList<>();
        for (HardwareEntry h : HardwareCatalog.all())
            hardware.add(new String[] {h.id(), h.hardware().name()});
        b.append(form.select("Model", "model", models))
                .append(form.select("Hardware", "hardware", hardware))
                .append(form.input("Devices", "devices", "1", "numeric"))
                .append(form.input("Training tokens", "tokens", "e.g. 15e12"))
                .append(form.input("MFU (0-1)", "mfu", "the step-time model's", "decimal"))
                .append(form.input("Price, USD per device-hour", "price", "the catalog's", "decimal"))
                .append(form.select(
                        "ZeRO stage",
                        "zero",
                        List.of(
                                new String[] {"0", "0: none"},
                                new String[] {"1", "1: optimizer states"},
                                new String[] {"2", "2: + gradients"},
                                new String[] {"3", "3: + weights"})));
        List<String[]> recompute = new ArrayList<>();
        for (Recompute r : Recompute.values()) recompute.add(new String[] {r.id(), r.id()});
        b.append(form.select("Activation recompute", "recompute", recompute))
                .append(form.input("Tensor parallel (tp)", "tp", "1", "numeric"))
                .append(form.input("Pipeline parallel (pp)", "pp", "1", "numeric"))
                .append(form.input("Data parallel (dp)", "dp", "devices ÷ (tp × pp)", "numeric"))
                .append(form.input("Micro-batch (sequences)", "batch", "1", "numeric"))
                .append(form.input("Sequence length", "seq-len", "min(4096, context)", "numeric"));
        List<String[]> optimizers = new ArrayList<>();
        for (Optimizer o : Optimizer.values()) optimizers.add(new String[] {o.id(), o.id()});
        b.append(form.select("Optimizer", "optimizer", optimizers))
                .append(form.input("LoRA rank", "lora-rank", "0 (full training)", "numeric"))
                .append(form.input("Interleave (chunks per stage)", "interleave", "1", "numeric"))
                .append(form.select(
                        "Sequence parallel",
                        "sequence-parallel",
                        List.of(new String[] {"", "no (default)"}, new String[] {"false", "no"}, new String[] {
                            "true", "yes"
                        })))
                .append(form.input("Global batch (sequences)", "global-batch", "4 × pp × dp × micro-batch", "numeric"))
                .append(form.select("Search layouts", "search", List.of(new String[] {"", "no"}, new String[] {
                    "true", "yes: the " + SEARCH_TOP + " fastest that fit"
                })))
                .append("<button type=\"submit\">Estimate</button></form>");
        b.append(form.otherErrors());

        if (train != null) run(b, train, q);
        if (layouts != null) layouts(b, layouts, values);
        if (train != null && train.has("step")) step(b, train);
        if (memory != null) memory(b, memory, q);
        return new Page(errors.isEmpty() ? 200 : 400, Html.page("Training", "Training", b.toString()));
    }

    private static void run(StringBuilder b, ObjectNode t, String q) {
        JsonNode hw = t.get("hardware");
        b.append("<h2>Run</h2><div class=\"cards\" id=\"run-cards\">")
                .append(card(
                        "Training compute",
                        Show.sci(t.at("/flops/total").doubleValue()) + " FLOPs",
                        Show.sci(t.at("/flops/perToken/total").doubleValue()) + " FLOPs per token"))
                .append(card(
                        "Wall time",
                        Show.fixed(t.get("wallDays").doubleValue(), 1) + " days",
                        Show.count(t.get("devices").longValue()) + " × "
                                + hw.get("name").asText() + " at "
                                + Show.fixed(100 * t.get("mfu").doubleValue(), 1) + " % MFU"))
                .append(card("Device-hours", Show.count(t.get("deviceHours").doubleValue()), null))
                .append(card(
                        "Cost",
                        Show.usd(t.get("costUsd").doubleValue()),
                        "at "
                                + String.format(
                                        Locale.ROOT,
                                        "$%.2f",
                                        t.get("pricePerDeviceHourUsd").doubleValue()) + " per device-hour"))
                .append(card(
                        "Energy",
                        t.get("energyKwh").isNull()
                                ? "–"
                                : Show.fixed(t.get("energyKwh").doubleValue() / 1000, 1) + " MWh",
                        t.get("energyKwh").isNull()
                                ? t.get("energyNote").asText()
                                : Show.fixed(t.get("powerWatts").doubleValue(), 0) + " W per device, PUE "
                                        + t.get("pue").asText()))
                .append("</div>");
        b.append(
                "<table id=\"run-table\"><thead><tr><th>quantity</th><th class=\"num\">value</th><th>unit</th></tr></thead><tbody>");
        row(b, "tokens", Show.sci(t.get("tokens").doubleValue()), "tokens");
        JsonNode per = t.at("/flops/perToken");
        if (per.has("dense"))
            row(
                    b,
                    "training FLOPs per token: 6 × matmul parameters",
                    Show.sci(per.get("dense").doubleValue()),
                    "FLOPs");
        if (per.has("attention"))
            row(
                    b,
                    "training FLOPs per token: attention (sequence "
                            + t.at("/flops/sequenceLength").asText() + ")",
                    Show.sci(per.get("attention").doubleValue()),
                    "FLOPs");
        row(b, "training FLOPs per token", Show.sci(per.get("total").doubleValue()), "FLOPs");
        row(b, "training FLOPs", Show.sci(t.at("/flops/total").doubleValue()), "FLOPs");
        row(
                b,
                "MFU (" + t.get("mfuSource").asText() + ")",
                Show.fixed(t.get("mfu").doubleValue(), 3),
                "");
        row(
                b,
                "achieved per device",
                Show.sci(t.get("achievedFlopsPerSecondPerDevice").doubleValue()),
                "FLOP/s");
        row(b, "wall time", Show.count(t.get("wallSeconds").doubleValue()), "s");
        row(b, "device-hours", Show.count(t.get("deviceHours").doubleValue()), "h");
        row(b, "cost", Show.count(t.get("costUsd").doubleValue()), "USD");
        row(
                b,
                "energy",
                t.get("energyKwh").isNull()
                        ? "–"
                        : Show.count(t.get("energyKwh").doubleValue()),
                "kWh");
        b.append("</tbody></table>");
        b.append("<p class=\"note\">")
                .append(Html.esc(t.at("/flops/method").asText()))
                .append("</p>");
        b.append("<p class=\"downloads\"><a id=\"run-csv\" href=\"/api/train?")
                .append(Html.esc(q))
                .append("&amp;format=csv\">CSV</a>")
                .append("<a id=\"run-json\" href=\"/api/train?")
                .append(Html.esc(q))
                .append("\">JSON</a></p>");
    }

    /**
     * The published Megatron-LM runs (step times and weak-scaling throughputs) against the step-time model: median and
     * worst |error|, computed once (the figures {@code strata validate --training} prints).
     */
    private static final class Validated {
        static final List<PublishedTraining.Row> ROWS = java.util.stream.Stream.concat(
                        PublishedTraining.rows().stream(), PublishedTraining.weakScaling().stream())
                .toList();
        static final double MEDIAN = PublishedTraining.medianAbsError(ROWS);
        static final double WORST = PublishedTraining.worstAbsError(ROWS);
    }

    /**
     * The layout search's fastest layouts that fit the devices, fastest first, each with a link that applies it to the
     * page's form (the page's query with the layout's fields set).
     */
    private static void layouts(StringBuilder b, ObjectNode s, Map<String, String> values) {
        JsonNode all = s.get("layouts");
        b.append("<h2 id=\"layouts\">Fastest layouts</h2><p class=\"note\">");
        if (all.isEmpty()) {
            b.append(Html.esc(s.get("note").asText())).append(".</p>");
            return;
        }
        b.append("The ")
                .append(all.size())
                .append(" fastest of the ")
                .append(Show.count(s.get("fitting").longValue()))
                .append(" layouts of ")
                .append(Show.count(s.get("devices").longValue()))
                .append(" devices that fit ")
                .append(Html.esc(s.at("/hardware/name").asText()))
                .append("'s memory, at a global batch of ")
                .append(Show.count(s.get("globalBatch").longValue()))
                .append(" × ")
                .append(Show.count(s.get("seqLen").longValue()))
                .append(" tokens, as the step-time model times them (<code>strata train --search</code>).</p>");
        b.append("<table id=\"layouts-table\"><thead><tr><th class=\"num\">tp</th><th class=\"num\">pp</th>"
                + "<th class=\"num\"><abbr title=\"interleave: model chunks per stage\">V</abbr></th>"
                + "<th class=\"num\">dp</th><th class=\"num\"><abbr title=\"micro-batch, sequences\">b</abbr></th>"
                + "<th>recompute</th><th><abbr title=\"sequence parallel\">SP</abbr></th><th class=\"num\">ZeRO</th>"
                + "<th class=\"num\">step</th><th class=\"num\">MFU</th><th></th></tr></thead><tbody>");
        for (JsonNode l : all) {
            Map<String, String> apply = new LinkedHashMap<>(values);
            apply.remove("search");
            apply.remove("mfu");
            apply.put("tp", l.get("tp").asText());
            apply.put("pp", l.get("pp").asText());
            apply.put("dp", l.get("dp").asText());
            apply.put("interleave", l.get("interleave").asText());
            apply.put("batch", l.get("microBatch").asText());
            apply.put("recompute", l.get("recompute").asText());
            apply.put("sequence-parallel", l.get("sequenceParallel").asText());
            apply.put("zero", l.get("zero").asText());
            apply.put("global-batch", s.get("globalBatch").asText());
            b.append("<tr>");
            for (String k : new String[] {"tp", "pp", "interleave", "dp", "microBatch"})
                b.append("<td class=\"num\">").append(l.get(k).asText()).append("</td>");
            b.append("<td>")
                    .append(Html.esc(l.get("recompute").asText()))
                    .append("</td><td>")
                    .append(l.get("sequenceParallel").asBoolean() ? "yes" : "no")
                    .append("</td><td class=\"num\">")
                    .append(l.get("zero").asText())
                    .append("</td><td class=\"num\">")
                    .append(Html.esc(Show.seconds(l.get("stepSeconds").doubleValue())))
                    .append("</td><td class=\"num\">")
                    .append(Show.fixed(100 * l.get("mfu").doubleValue(), 1))
                    .append(" %</td><td><a class=\"apply-layout\" href=\"/training?")
                    .append(Html.esc(Html.query(apply)))
                    .append("#step\">apply</a></td></tr>");
        }
        b.append("</tbody></table>");
    }

    /** The step the step-time model predicts for the page's layout: its parts, the batch, the rates. */
    private static void step(StringBuilder b, ObjectNode t) {
        JsonNode s = t.get("step"), l = t.get("layout");
        double seconds = s.get("seconds").doubleValue();
        long devices = t.get("devices").longValue();
        double steps = t.get("tokens").doubleValue() / s.get("tokensPerStep").doubleValue();
        b.append("<h2 id=\"step\">Step</h2><div class=\"cards\" id=\"step-cards\">")
                .append(card(
                        "Step time",
                        Show.seconds(seconds),
                        "global batch " + Show.count(l.get("globalBatch").longValue()) + " × "
                                + Show.count(l.get("seqLen").longValue()) + " tokens, "
                                + Show.count(l.get("microBatches").longValue()) + " micro-batches per replica"))
                .append(card(
                        "MFU predicted",
                        Show.fixed(100 * s.get("mfu").doubleValue(), 1) + " %",
                        "HFU " + Show.fixed(100 * s.get("hfu").doubleValue(), 1) + " %; against "
                                + Validated.ROWS.size() + " published Megatron-LM runs the model's error is "
                                + Show.fixed(100 * Validated.MEDIAN, 1) + " % median, "
                                + Show.fixed(100 * Validated.WORST, 1) + " % at worst"))
                .append(card(
                        "Tokens per second",
                        Show.count(s.get("tokensPerSecond").doubleValue()),
                        Show.count(s.get("tokensPerSecond").doubleValue() / devices) + " per device"))
                .append(card(
                        "Steps",
                        Show.count(steps),
                        "for " + Show.sci(t.get("tokens").doubleValue()) + " tokens"))
                .append("</div>");
        b.append("<table id=\"step-table\"><thead><tr><th>part of the step</th><th class=\"num\">time</th>"
                + "<th class=\"num\">share</th></tr></thead><tbody>");
        String[][] parts = {
            {"compute (forward, backward, recomputation)", "computeSeconds"},
            {"exposed communication (tensor, pipeline, data, expert parallel)", "communicationSeconds"},
            {"pipeline bubble", "bubbleSeconds"},
            {"optimizer step", "optimizerSeconds"}
        };
        for (String[] p : parts) {
            double v = s.get(p[1]).doubleValue();
            b.append("<tr><td>")
                    .append(Html.esc(p[0]))
                    .append("</td><td class=\"num\">")
                    .append(Html.esc(Show.seconds(v)))
                    .append("</td><td class=\"num\">")
                    .append(Show.fixed(100 * v / seconds, 1))
                    .append(" %</td></tr>");
        }
        b.append("</tbody></table>");
        b.append("<p class=\"note\">Layout: tp ")
                .append(l.get("tp").asText())
                .append(" × pp ")
                .append(l.get("pp").asText())
                .append(" × dp ")
                .append(l.get("dp").asText())
                .append(", recompute ")
                .append(Html.esc(l.get("recompute").asText()))
                .append(", ZeRO ")
                .append(l.get("zero").asText())
                .append(". Data-parallel reduction: ")
                .append(Html.esc(s.get("dataParallelOverlap").asText()))
                .append(". Type an MFU above to time the run by it instead; the fastest layouts that fit: ")
                .append("Search layouts above, or <code>strata train --search</code> (docs/cli.md).</p>");
    }

    private static void memory(StringBuilder b, ObjectNode m, String q) {
        JsonNode chosen = null;
        for (JsonNode r : m.get("rows")) if (r.get("chosen").booleanValue()) chosen = r;
        long capacity = m.get("deviceMemoryBytes").longValue();
        b.append("<h2>Memory per device</h2>");
        b.append("<div class=\"cards\">")
                .append(cardHtml(
                        "ZeRO " + chosen.get("zeroStage").asText() + ", recompute "
                                + chosen.get("recompute").asText(),
                        "<span class=\"" + (chosen.get("fits").booleanValue() ? "verdict-ok\">" : "verdict-no\">")
                                + Html.esc(Show.gb(chosen.get("perDeviceBytes").doubleValue())) + "</span>",
                        (chosen.get("fits").booleanValue() ? "fits in " : "does not fit in ") + Show.gb(capacity)
                                + " of " + m.at("/hardware/name").asText()))
                .append(card(
                        "Parallelism",
                        "dp " + m.get("dataParallel").asText() + " × tp "
                                + m.get("tensorParallel").asText() + " × pp "
                                + m.get("pipelineParallel").asText(),
                        Show.count(m.get("devices").longValue()) + " devices"))
                .append(card(
                        "Micro-batch",
                        m.get("microBatch").asText() + " × "
                                + Show.count(m.get("sequenceLength").longValue()) + " tokens",
                        m.get("method").asText() + " training, "
                                + m.get("optimizer").asText() + ", "
                                + Show.words(m.get("trainableParams").doubleValue()) + " trainable parameters"))
                .append("</div>");
        // the server's image (for export and pages without JavaScript), which charts.js draws again with uPlot from
        // the same report as JSON, values on hover
        b.append(Html.chartScripts("charts.js"));
        b.append(Html.chartBox(
                "memory-plot",
                "training-memory",
                "/api/training-memory?" + q,
                "memory-chart",
                "memory per device by ZeRO stage and recompute mode",
                "/chart/training-memory.png?" + q + "&width=900&height=520",
                " width=\"900\" height=\"520\""));
        b.append("<p class=\"downloads\">Chart: <a href=\"/chart/training-memory.png?")
                .append(Html.esc(q))
                .append("&amp;width=900&amp;height=520\">PNG</a>")
                .append("<a href=\"/chart/training-memory.svg?")
                .append(Html.esc(q))
                .append("&amp;width=900&amp;height=520\">SVG</a></p>");
        b.append("<table id=\"memory-table\"><thead><tr><th>ZeRO</th><th>recompute</th>");
        for (String n : TERM_NAMES) b.append("<th class=\"num\">").append(n).append("</th>");
        b.append("<th class=\"num\">per device</th><th>fits</th></tr></thead><tbody>");
        for (JsonNode r : m.get("rows")) {
            b.append("<tr")
                    .append(r.get("chosen").booleanValue() ? " class=\"chosen\"" : "")
                    .append("><td>")
                    .append(r.get("zeroStage").asText())
                    .append("</td><td>")
                    .append(Html.esc(r.get("recompute").asText()))
                    .append("</td>");
            for (String t : TERMS)
                b.append("<td class=\"num\">")
                        .append(Show.gb(r.get(t).doubleValue()))
                        .append("</td>");
            b.append("<td class=\"num\"><b>")
                    .append(Show.gb(r.get("perDeviceBytes").doubleValue()))
                    .append("</b></td><td>")
                    .append(
                            r.get("fits").booleanValue()
                                    ? "<span class=\"verdict-ok\">yes</span>"
                                    : "<span class=\"verdict-no\">no</span>")
                    .append("</td></tr>");
        }
        b.append("</tbody></table>");
        b.append(
                "<p class=\"note\">GB = 10⁹ bytes. Each row is <code>memory.training.perDevice</code> of <code>/api/estimate</code> for this run with that ZeRO stage "
                        + "and recompute mode; the chosen one is highlighted.</p>");
        b.append("<p class=\"downloads\"><a id=\"memory-csv\" href=\"/api/training-memory?")
                .append(Html.esc(q))
                .append("&amp;format=csv\">CSV</a>")
                .append("<a href=\"/api/training-memory?")
                .append(Html.esc(q))
                .append("\">JSON</a></p>");
    }

    /** Stacked bars of the memory terms per device, one bar per ZeRO stage and recompute mode, with the device's capacity. */
    public static JFreeChart memoryChart(Function<String, String> query) {
        ObjectNode m = TrainingMemoryReport.of(new Inputs(values(query)::get));
        List<String> categories = new ArrayList<>();
        Map<String, double[]> values = new LinkedHashMap<>();
        int n = m.get("rows").size();
        for (String name : TERM_NAMES) values.put(name, new double[n]);
        int i = 0;
        for (JsonNode r : m.get("rows")) {
            categories.add("ZeRO " + r.get("zeroStage").asText() + " · "
                    + r.get("recompute").asText() + (r.get("chosen").booleanValue() ? " (chosen)" : ""));
            for (int k = 0; k < TERMS.length; k++)
                values.get(TERM_NAMES[k])[i] = r.get(TERMS[k]).doubleValue() / 1e9;
            i++;
        }
        JFreeChart chart =
                Charts.stackedBars("Training memory per device", "GB per device (10⁹ bytes)", categories, values);
        Charts.subtitle(
                chart,
                m.at("/model/name").asText() + " · dp " + m.get("dataParallel").asText() + " × tp "
                        + m.get("tensorParallel").asText()
                        + " × pp " + m.get("pipelineParallel").asText() + " · micro-batch "
                        + m.get("microBatch").asText() + " × "
                        + m.get("sequenceLength").asText() + " tokens · "
                        + m.get("optimizer").asText());
        double capacity = m.get("deviceMemoryBytes").doubleValue() / 1e9;
        Charts.limitLine(
                chart,
                capacity,
                m.at("/hardware/name").asText() + ": "
                        + Show.gb(m.get("deviceMemoryBytes").doubleValue()) + " ");
        return chart;
    }

    private static String card(String label, String value, String sub) {
        return cardHtml(label, Html.esc(value), sub);
    }

    /** A card; {@code valueHtml} is already escaped. */
    static String cardHtml(String label, String valueHtml, String sub) {
        return "<div class=\"card\"><div class=\"label\">" + Html.esc(label) + "</div><div class=\"value\">" + valueHtml
                + "</div>" + (sub == null ? "" : "<div class=\"sub\">" + Html.esc(sub) + "</div>") + "</div>";
    }

    private static void row(StringBuilder b, String quantity, String value, String unit) {
        b.append("<tr><td>")
                .append(Html.esc(quantity))
                .append("</td><td class=\"num\">")
                .append(Html.esc(value))
                .append("</td><td>")
                .append(Html.esc(unit))
                .append("</td></tr>");
    }

    static String field(IllegalArgumentException e) {
        return e instanceof InvalidFieldException f ? f.field() : "input";
    }
}
