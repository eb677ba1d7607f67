package dev.strata.web.page;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.strata.data.RunsCsv;
import dev.strata.estimator.scaling.ComputeOptimal;
import dev.strata.estimator.scaling.FitPoint;
import dev.strata.estimator.scaling.FitResult;
import dev.strata.estimator.scaling.IsoFlopPoint;
import dev.strata.estimator.scaling.Planner;
import dev.strata.estimator.scaling.ScalingLaw;
import dev.strata.estimator.scaling.ScalingLaws;
import dev.strata.estimator.scaling.TrainingCompute;
import dev.strata.model.InvalidFieldException;
import dev.strata.web.chart.ChartImage;
import dev.strata.web.chart.Charts;
import dev.strata.web.chart.Figure;
import dev.strata.web.chart.Series;
import dev.strata.web.report.FitReport;
import dev.strata.web.report.Inputs;
import dev.strata.web.report.LawsReport;
import dev.strata.web.report.OptimalReport;
import dev.strata.web.report.WorkBudget;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.function.Function;
import org.jfree.chart.JFreeChart;

/**
 * The scaling-laws page. Its state is in the URL ({@code law}, {@code compute}, optional {@code params}): the
 * compute-optimal model size and data for the budget under the chosen law ({@code GET /api/optimal}), every law at
 * the same budget ({@code GET /api/laws}), the loss on each law's compute-optimal frontier, the frontier's model
 * sizes, and iso-FLOP curves. "Fit your own runs" posts a CSV (pasted or uploaded) to {@code /scaling/fit}, which
 * fits it as {@code POST /api/fit} does and shows the constants with standard errors, the runs against the fitted
 * law and the residuals.
 */
public final class ScalingPage {
    /** The budget form's fields, named as the API's query parameters. */
    public static final List<String> FIELDS = List.of("law", "compute", "params");
    /** The fit form's fields, named as the query parameters of {@code POST /api/fit}; {@code data} is the CSV text. */
    public static final List<String> FIT_FIELDS =
            List.of("data", "n-col", "d-col", "c-col", "loss-col", "exclude-highest-loss", "bootstrap", "seed");
    /** Bootstrap resamples of a fit on this page unless the form says otherwise: few, so the page answers in seconds. */
    public static final int PAGE_BOOTSTRAP = 200;
    /** Most bootstrap resamples this page runs (the command line and the API take more). */
    public static final int PAGE_MAX_BOOTSTRAP = 2000;

    static final Map<String, String> DEFAULTS = Map.of("law", "chinchilla", "compute", "5.76e23");
    static final Map<String, String> FIT_DEFAULTS = Map.of(
            "n-col",
            RunsCsv.DEFAULT_PARAMS_COLUMN,
            "loss-col",
            RunsCsv.DEFAULT_LOSS_COLUMN,
            "exclude-highest-loss",
            "0",
            "bootstrap",
            Integer.toString(PAGE_BOOTSTRAP),
            "seed",
            "1");
    /** Budgets of the iso-FLOP curves, as factors of the chosen budget. */
    private static final double[] ISO_FACTORS = {1e-2, 1e-1, 1, 1e1, 1e2};

    private ScalingPage() {}

    /**
     * The runs a user sent to fit.
     *
     * @param values   the fit form's fields ({@link #FIT_FIELDS}); {@code data} holds the uploaded file's text when a file was sent
     * @param fileName the uploaded file's name, or null when the runs were pasted
     * @param refused  why the upload was refused before it was read (too large), or null
     */
    public record FitInput(Map<String, String> values, String fileName, String refused) {}

    static Map<String, String> values(Function<String, String> query) {
        return Form.values(FIELDS, n -> query.apply(n) != null ? query.apply(n) : DEFAULTS.get(n));
    }

    /** The page; with {@code fit} (a POST to /scaling/fit) also the fit of the runs. */
    public static Page render(Function<String, String> query, FitInput fit) {
        Map<String, String> values = values(query);
        Map<String, String> errors = new LinkedHashMap<>();
        ObjectNode optimal = null, laws = null;
        Inputs in = new Inputs(values::get);
        try {
            optimal = OptimalReport.of(new OptimalReport.Request(
                    in.text("law"), in.number("compute"), null, in.number("params"), null, null));
            laws = LawsReport.of(in.number("compute"));
        } catch (IllegalArgumentException e) {
            errors.put(TrainingPage.field(e), e.getMessage());
        }
        Form form = new Form(values, errors);
        String q = Html.query(values);

        StringBuilder b = new StringBuilder();
        // charts.js draws the budget's charts again with uPlot, values on hover, also after a live update
        b.append(Html.chartScripts("charts.js"));
        // live: the budget's results follow the form; the fit below keeps the runs typed into it
        b.append("<form class=\"inputs\" id=\"budget-form\" data-live data-live-target=\"budget-results\"")
                .append(" method=\"get\" action=\"/scaling\">");
        List<String[]> lawOptions = new ArrayList<>();
        for (ScalingLaw l : ScalingLaws.all()) lawOptions.add(new String[] {l.id(), l.id() + ": " + l.name()});
        b.append(form.select("Scaling law", "law", lawOptions, "span2"))
                .append(form.input("Compute budget, FLOPs", "compute", "e.g. 5.76e23 (Gopher's budget)"))
                .append(form.input("Your model size N (optional)", "params", "e.g. 70e9"))
                .append("<button type=\"submit\">Show</button></form>");
        b.append("<div id=\"budget-results\">").append(form.otherErrors());
        if (optimal != null) budget(b, optimal, laws, q);
        b.append("</div>");

        Map<String, String> fitValues = Form.values(
                FIT_FIELDS,
                n -> fit == null ? FIT_DEFAULTS.get(n) : fit.values().get(n));
        Double budget = null;
        try {
            budget = in.number("compute");
        } catch (IllegalArgumentException e) {
            // already reported by the budget form
        }
        boolean fitRefused = fitSection(b, fit, fitValues, q, budget);
        int status = fit != null && fit.refused() != null ? 413 : errors.isEmpty() && !fitRefused ? 200 : 400;
        return new Page(status, Html.page("Scaling laws", "Scaling", b.toString()));
    }

    private static void budget(StringBuilder b, ObjectNode o, ObjectNode laws, String q) {
        JsonNode law = o.get("law");
        boolean hasLoss = !o.get("loss").isNull();
        b.append("<h2>Compute-optimal allocation</h2><div class=\"cards\" id=\"optimal-cards\">")
                .append(card(
                        "Model size N",
                        Show.words(o.get("params").doubleValue()) + " parameters",
                        law.get("paramsMeaning").asText()))
                .append(card(
                        "Training tokens D",
                        Show.words(o.get("tokens").doubleValue()),
                        Show.fixed(o.get("tokensPerParam").doubleValue(), 1) + " tokens per parameter"))
                .append(card(
                        "Loss",
                        hasLoss ? Show.fixed(o.get("loss").doubleValue(), 4) : "–",
                        hasLoss ? "nats per token, on the law's own data" : "this law gives an allocation only"))
                .append(card("Budget", Show.sci(o.get("compute").doubleValue()) + " FLOPs", "C = 6ND"))
                .append("</div>");
        b.append(
                "<table id=\"optimal-table\"><thead><tr><th>quantity</th><th class=\"num\">value</th></tr></thead><tbody>");
        row(b, "compute (FLOPs)", Show.sci(o.get("compute").doubleValue()));
        row(b, "params N", Show.count(o.get("params").doubleValue()));
        row(b, "tokens D", Show.count(o.get("tokens").doubleValue()));
        row(b, "tokens per parameter", Show.fixed(o.get("tokensPerParam").doubleValue(), 2));
        row(b, "training FLOPs per token", Show.sci(o.get("flopsPerToken").doubleValue()));
        row(b, "loss", hasLoss ? Show.fixed(o.get("loss").doubleValue(), 4) : "–");
        row(b, "method", o.get("method").asText());
        JsonNode off = o.get("offOptimal");
        if (off != null) {
            row(b, "your N", Show.count(off.get("params").doubleValue()));
            row(b, "your D at this budget", Show.count(off.get("tokens").doubleValue()));
            row(b, "your loss", Show.fixed(off.get("loss").doubleValue(), 4));
            row(
                    b,
                    "loss penalty vs the optimum",
                    Show.fixed(off.get("lossPenalty").doubleValue(), 4));
            row(
                    b,
                    "compute the optimum needs for your loss",
                    Show.sci(off.get("equivalentCompute").doubleValue()));
            row(
                    b,
                    "compute overhead of your choice",
                    Show.fixed(off.get("computeOverhead").doubleValue(), 3));
        }
        b.append("</tbody></table>");
        b.append("<p class=\"note\">")
                .append(Html.esc(law.get("name").asText()))
                .append(" — ")
                .append(Html.esc(law.get("source").asText()))
                .append(". Constants: ");
        List<String> constants = new ArrayList<>();
        law.get("constants")
                .fields()
                .forEachRemaining(
                        e -> constants.add(e.getKey() + " = " + e.getValue().asText()));
        b.append(Html.esc(String.join(", ", constants))).append(".</p>");
        b.append("<p class=\"downloads\"><a id=\"optimal-csv\" href=\"/api/optimal?")
                .append(Html.esc(q))
                .append("&amp;format=csv\">CSV</a>")
                .append("<a href=\"/api/optimal?")
                .append(Html.esc(q))
                .append("\">JSON</a></p>");

        b.append(
                        "<h2>Every law at this budget</h2><table id=\"laws-table\"><thead><tr><th>law</th><th class=\"num\">params N</th>")
                .append(
                        "<th class=\"num\">tokens D</th><th class=\"num\">tokens / param</th><th class=\"num\">loss</th></tr></thead><tbody>");
        String compute = o.get("compute").asText();
        for (JsonNode l : laws.get("laws")) {
            boolean chosen = l.get("id").asText().equals(law.get("id").asText());
            b.append("<tr")
                    .append(chosen ? " class=\"chosen\"" : "")
                    .append("><td><a href=\"/scaling?")
                    .append(Html.esc(Html.query(Map.of("law", l.get("id").asText(), "compute", compute))))
                    .append("\">")
                    .append(Html.esc(l.get("id").asText()))
                    .append("</a></td><td class=\"num\">")
                    .append(Show.words(l.get("params").doubleValue()))
                    .append("</td><td class=\"num\">")
                    .append(Show.words(l.get("tokens").doubleValue()))
                    .append("</td><td class=\"num\">")
                    .append(Show.fixed(l.get("tokensPerParam").doubleValue(), 1))
                    .append("</td><td class=\"num\">")
                    .append(
                            l.get("loss").isNull()
                                    ? "–"
                                    : Show.fixed(l.get("loss").doubleValue(), 4))
                    .append("</td></tr>");
        }
        b.append(
                "</tbody></table><p class=\"note\">Losses of different laws are not comparable: each is in nats per token on its paper's own data "
                        + "and tokenizer, and Kaplan et al. count non-embedding parameters.</p>");
        String lq = Html.query(Map.of("compute", compute));
        b.append("<p class=\"downloads\"><a id=\"laws-csv\" href=\"/api/laws?")
                .append(Html.esc(lq))
                .append("&amp;format=csv\">CSV</a>")
                .append("<a href=\"/api/laws?")
                .append(Html.esc(lq))
                .append("\">JSON</a></p>");

        b.append("<h2>Compute-optimal frontier</h2><div class=\"charts\">");
        chart(b, "frontier", "loss on each law's compute-optimal frontier", q, 580, 420);
        chart(b, "allocation", "compute-optimal model size by law", q, 580, 420);
        b.append("</div>");
        b.append("<h2>Iso-FLOP curves</h2>");
        if (hasLoss) {
            b.append("<div class=\"charts\">");
            chart(b, "isoflop", "loss against model size at fixed budgets", q, 720, 420);
            b.append(
                    "</div><p class=\"note\">Each curve trains N parameters on D = C / 6N tokens at a fixed budget C (Hoffmann et al. 2022, §3.2, "
                            + "Approach 2); the dots are the loss-minimising sizes.</p>");
        } else {
            b.append("<p class=\"note\" id=\"isoflop-none\">")
                    .append(Html.esc(law.get("id").asText()))
                    .append(
                            " gives an allocation only, no loss formula: choose a law with a loss for iso-FLOP curves.</p>");
        }
    }

    /** A chart of this page's query at its stable URL, with PNG and SVG links. */
    private static void chart(StringBuilder b, String name, String alt, String query, int width, int height) {
        String q = query + "&width=" + width + "&height=" + height;
        // charts.js draws the figure again from its JSON, values on hover; the image stays for export
        b.append("<figure>")
                .append(Html.chartBox(
                        name + "-plot",
                        "figure",
                        "/chart/" + name + ".json?" + query,
                        name + "-chart",
                        alt,
                        "/chart/" + name + ".png?" + q,
                        " width=\"" + width + "\" height=\"" + height + "\""))
                .append("<figcaption class=\"downloads\"><a href=\"/chart/")
                .append(name)
                .append(".png?")
                .append(Html.esc(q))
                .append("\">PNG</a><a href=\"/chart/")
                .append(name)
                .append(".svg?")
                .append(Html.esc(q))
                .append("\">SVG</a></figcaption></figure>");
    }

    /** Renders the fit form and, after a POST, the fit; true when the fit's inputs were refused. */
    private static boolean fitSection(
            StringBuilder b, FitInput fit, Map<String, String> values, String q, Double budget) {
        Map<String, String> errors = new LinkedHashMap<>();
        FitResult result = null;
        if (fit != null) {
            if (fit.refused() != null) errors.put("data", fit.refused());
            else {
                try {
                    result = fit(fit.values());
                } catch (IllegalArgumentException e) {
                    errors.put(TrainingPage.field(e), e.getMessage());
                }
            }
        }
        Form form = new Form(values, errors);
        b.append("<h2 id=\"fit\">Fit your own runs</h2>");
        b.append(
                        "<p class=\"note\">One run per row with a header row: parameters N, training tokens D <em>or</em> training FLOPs C, and the final loss. "
                                + "The fit is Hoffmann et al.'s (2022, App. D.2): L = E + A/N<sup>α</sup> + B/D<sup>β</sup>, Huber loss on log-loss, from a grid of starts; "
                                + "standard errors and 95 % intervals come from a bootstrap of ")
                .append(PAGE_BOOTSTRAP)
                .append(
                        " resamples by default here, so the page answers in seconds (Besiroglu et al. 2024 use 4,000; the API defaults to ")
                .append(FitReport.DEFAULT_BOOTSTRAP)
                .append("). Nothing you send is stored.</p>");
        b.append(
                        "<form class=\"inputs\" id=\"fit-form\" method=\"post\" enctype=\"multipart/form-data\" action=\"/scaling/fit?")
                .append(Html.esc(q))
                .append("#fit\">");
        if (fit != null && fit.fileName() != null)
            b.append("<p class=\"wide note\">Runs from the file <b>")
                    .append(Html.esc(fit.fileName()))
                    .append("</b>, shown below.</p>");
        b.append(form.textarea("Runs (CSV text)", "data", "N,D,loss\n1e8,2e9,3.12\n...", 8))
                .append(form.file("…or a CSV file (at most 1 MiB)", "file", ".csv,text/csv,text/plain"))
                .append(form.input("Column of N", "n-col", RunsCsv.DEFAULT_PARAMS_COLUMN))
                .append(form.input(
                        "Column of D (tokens)", "d-col", RunsCsv.DEFAULT_TOKENS_COLUMN + " if the file has it"))
                .append(form.input("…or of C (FLOPs)", "c-col", RunsCsv.DEFAULT_COMPUTE_COLUMN + " when there is no D"))
                .append(form.input("Column of the loss", "loss-col", RunsCsv.DEFAULT_LOSS_COLUMN))
                .append(form.input("Leave out the k highest losses", "exclude-highest-loss", "0", "numeric"))
                .append(form.input(
                        "Bootstrap resamples",
                        "bootstrap",
                        PAGE_BOOTSTRAP + " (at most " + PAGE_MAX_BOOTSTRAP + " here)",
                        "numeric"))
                .append(form.input("Seed", "seed", "1", "numeric"))
                .append("<button type=\"submit\">Fit</button></form>")
                .append("<p class=\"note\" id=\"fit-progress\" role=\"status\" aria-live=\"polite\" hidden></p>")
                .append("<script src=\"/static/scaling.js\" defer></script>");
        b.append(form.otherErrors());
        if (result != null) fitResult(b, result, fit.values(), budget);
        return !errors.isEmpty();
    }

    /** Fits the runs of a fit form's values, as {@code POST /api/fit} does with the same options. */
    static FitResult fit(Map<String, String> values) {
        Inputs in = new Inputs(values::get);
        String data = in.text("data");
        if (data == null)
            throw InvalidFieldException.withMessage(
                    "data", "data: paste the runs as CSV with a header row, or choose a CSV file");
        FitReport.Request r = FitReport.Request.from(in);
        if (r.bootstrap() == null) r = r.withBootstrap(PAGE_BOOTSTRAP);
        else if (r.bootstrap() > PAGE_MAX_BOOTSTRAP)
            throw new InvalidFieldException(
                    "bootstrap",
                    r.bootstrap(),
                    "an integer from 0 to " + PAGE_MAX_BOOTSTRAP
                            + " on this page (POST /api/fit and strata fit take more)");
        RunsCsv.Runs runs = RunsCsv.read(data, r.columns());
        WorkBudget.checkFit(runs, r);
        return FitReport.fit(runs, r);
    }

    /** The same fit without the bootstrap: the constants, the chart and the residuals do not depend on it. */
    private static FitResult pointFit(FitInput fit) {
        if (fit.refused() != null) throw InvalidFieldException.withMessage("data", fit.refused());
        Map<String, String> v = new LinkedHashMap<>(fit.values());
        v.put("bootstrap", "0");
        return fit(v);
    }

    /**
     * The fitted law turned into an answer: the compute-optimal N and D at the page's budget (Hoffmann et al. 2022,
     * App. D.2, as every law's {@code optimal}), its loss and tokens per parameter, beside the chosen published law's.
     */
    private static void fittedOptimum(StringBuilder b, FitResult r, Double budget) {
        if (budget == null) return;
        b.append("<h3>Your law at the budget</h3>");
        ComputeOptimal o;
        try {
            o = r.law().optimal(budget);
        } catch (IllegalArgumentException e) {
            b.append("<p class=\"note\" id=\"fit-optimum\">")
                    .append(Html.esc(e.getMessage()))
                    .append("</p>");
            return;
        }
        b.append("<table id=\"fit-optimum\"><tbody>");
        row(b, "compute budget C", Show.sci(budget) + " FLOPs");
        row(b, "compute-optimal model size N", Show.words(o.params()) + " parameters");
        row(b, "compute-optimal data D", Show.words(o.tokens()) + " tokens");
        row(b, "tokens per parameter", Show.sig(o.tokensPerParam()));
        if (o.loss().isPresent()) row(b, "predicted loss", Show.fixed(o.loss().getAsDouble(), 4) + " nats/token");
        b.append("</tbody></table><p class=\"note\">At the budget of the form above (change it there);")
                .append(" the fit's own exponents, so its allocation follows your runs, not a published law.</p>");
    }

    private static final String[][] CONSTANTS = {
        {"E", "E", "irreducible loss"},
        {"A", "A", "parameter term"},
        {"B", "B", "data term"},
        {"alpha", "α", "parameter exponent"},
        {"beta", "β", "data exponent"}
    };

    private static void fitResult(StringBuilder b, FitResult r, Map<String, String> values, Double budget) {
        ObjectNode j = FitReport.of(r);
        JsonNode how = j.get("procedure");
        fittedOptimum(b, r, budget);
        b.append(
                        "<h3>Fitted law</h3><table id=\"fit-table\"><thead><tr><th>constant</th><th></th><th class=\"num\">value</th>")
                .append("<th class=\"num\">std. error</th><th class=\"num\">95 % interval</th></tr></thead><tbody>");
        for (String[] c : CONSTANTS) estimateRow(b, c[1], c[2], j.get(c[0]));
        estimateRow(b, "a", "N_opt ∝ C^a", j.at("/computeOptimal/a"));
        estimateRow(b, "b", "D_opt ∝ C^b", j.at("/computeOptimal/b"));
        b.append("</tbody></table>");
        b.append("<p class=\"note\" id=\"fit-procedure\">")
                .append(how.get("usedRows").asText())
                .append(" of ")
                .append(how.get("rows").asText())
                .append(" runs used (")
                .append(how.get("excludedHighestLoss").asText())
                .append(" highest-loss left out); ")
                .append(how.get("bootstrapResamples").asText())
                .append(" bootstrap resamples (")
                .append(how.get("bootstrapFailures").asText())
                .append(" did not converge), seed ")
                .append(how.get("seed").asText())
                .append("; ")
                .append(how.get("starts").asText())
                .append(" starting points, Huber δ = ")
                .append(how.get("huberDelta").asText())
                .append(".</p>");
        b.append(
                        "<figure><img class=\"chart\" id=\"fit-chart\" alt=\"the runs and the fitted law\" width=\"720\" height=\"400\" src=\"data:image/png;base64,")
                .append(Base64.getEncoder()
                        .encodeToString(ChartImage.png(fitChart(r), ChartImage.WIDTH, ChartImage.HEIGHT)))
                .append("\"></figure>");
        // Downloads post the same runs again: a chart or a CSV of an upload cannot live in a URL.
        b.append("<form class=\"downloads\" id=\"fit-downloads\" method=\"post\" enctype=\"multipart/form-data\">");
        for (String f : FIT_FIELDS) {
            String v = values.get(f);
            if (v == null) continue;
            if (f.equals("data"))
                b.append("<textarea name=\"data\" hidden>").append(Html.esc(v)).append("</textarea>");
            else
                b.append("<input type=\"hidden\" name=\"")
                        .append(f)
                        .append("\" value=\"")
                        .append(Html.esc(v))
                        .append("\">");
        }
        b.append(
                        "Chart: <button type=\"submit\" formaction=\"/chart/fit.png\">PNG</button><button type=\"submit\" formaction=\"/chart/fit.svg\">SVG</button> ")
                .append(
                        "Residuals: <button type=\"submit\" id=\"residuals-csv\" formaction=\"/scaling/residuals.csv\">CSV</button></form>");
        b.append(
                        "<h3>Residuals</h3><div class=\"scroll\"><table id=\"residuals-table\"><thead><tr><th class=\"num\">row</th><th class=\"num\">N</th>")
                .append(
                        "<th class=\"num\">D</th><th class=\"num\">loss</th><th class=\"num\">fitted</th><th class=\"num\">ln(loss/fitted)</th><th>used</th></tr></thead><tbody>");
        for (FitPoint p : r.points())
            b.append("<tr><td class=\"num\">")
                    .append(p.row())
                    .append("</td><td class=\"num\">")
                    .append(Show.sci(p.params()))
                    .append("</td><td class=\"num\">")
                    .append(Show.sci(p.tokens()))
                    .append("</td><td class=\"num\">")
                    .append(Show.fixed(p.loss(), 4))
                    .append("</td><td class=\"num\">")
                    .append(Show.fixed(p.predictedLoss(), 4))
                    .append("</td><td class=\"num\">")
                    .append(String.format(java.util.Locale.ROOT, "%+.4f", p.residual()))
                    .append("</td><td>")
                    .append(p.excluded() ? "left out" : "yes")
                    .append("</td></tr>");
        b.append("</tbody></table></div>");
    }

    private static void estimateRow(StringBuilder b, String symbol, String meaning, JsonNode e) {
        b.append("<tr><td>")
                .append(Html.esc(symbol))
                .append("</td><td class=\"note\">")
                .append(Html.esc(meaning))
                .append("</td><td class=\"num\">")
                .append(Html.esc(Show.sci(e.get("value").doubleValue())))
                .append("</td><td class=\"num\">")
                .append(
                        e.get("stdErr").isNull()
                                ? "–"
                                : Html.esc(Show.sci(e.get("stdErr").doubleValue())))
                .append("</td><td class=\"num\">")
                .append(
                        e.has("ciLow")
                                ? Html.esc(Show.sci(e.get("ciLow").doubleValue()) + " – "
                                        + Show.sci(e.get("ciHigh").doubleValue()))
                                : "–")
                .append("</td></tr>");
    }

    /** The runs against the fitted law: loss against training compute, with the law's compute-optimal frontier. */
    public static JFreeChart fitChart(FitInput fit) {
        return fitChart(pointFit(fit));
    }

    /** The residuals of a fit as CSV, one row per run (the {@code points} of {@code POST /api/fit}). */
    public static String residualsCsv(FitInput fit) {
        ObjectNode j = FitReport.of(pointFit(fit));
        return dev.strata.web.render.Render.rows(j, j.get("points"), dev.strata.web.render.Format.CSV);
    }

    static JFreeChart fitChart(FitResult r) {
        List<Double> ux = new ArrayList<>(),
                uy = new ArrayList<>(),
                xx = new ArrayList<>(),
                xy = new ArrayList<>(),
                fx = new ArrayList<>(),
                fy = new ArrayList<>();
        double lo = Double.POSITIVE_INFINITY, hi = 0;
        for (FitPoint p : r.points()) {
            double c = TrainingCompute.flops(p.params(), p.tokens());
            lo = Math.min(lo, c);
            hi = Math.max(hi, c);
            (p.excluded() ? xx : ux).add(c);
            (p.excluded() ? xy : uy).add(p.loss());
            fx.add(c);
            fy.add(p.predictedLoss());
        }
        List<Double> cx = new ArrayList<>(), cy = new ArrayList<>();
        double from = Math.log10(lo / 3), to = Math.log10(hi * 3);
        for (int i = 0; i <= 60; i++) {
            double c = Math.pow(10, from + (to - from) * i / 60);
            try {
                ComputeOptimal o = r.law().optimal(c);
                cx.add(c);
                cy.add(o.loss().orElseThrow());
            } catch (IllegalArgumentException e) {
                // outside the range the law's allocation is defined on: leave the point out
            }
        }
        List<Series> points = new ArrayList<>();
        points.add(series("runs", ux, uy));
        if (!xx.isEmpty()) points.add(series("runs left out", xx, xy));
        points.add(series("fitted loss of each run", fx, fy));
        JFreeChart chart = Charts.linesAndPoints(
                "Your runs and the fitted law",
                "training compute C = 6ND (FLOPs)",
                "loss",
                true,
                true,
                List.of(series("fitted law on its compute-optimal frontier", cx, cy)),
                points);
        Charts.subtitle(
                chart,
                String.format(
                        java.util.Locale.ROOT,
                        "L = %.3g + %.4g/N^%.3f + %.4g/D^%.3f  (%d runs)",
                        r.law().E(),
                        r.law().A(),
                        r.law().alpha(),
                        r.law().B(),
                        r.law().beta(),
                        r.points().size()));
        return chart;
    }

    /** Loss on each law's own compute-optimal frontier against compute, with the budget marked. */
    public static JFreeChart frontierChart(Function<String, String> query) {
        return frontierFigure(query).chart();
    }

    /** The series of {@link #frontierChart}: one line per law with a loss, and the budget. */
    public static Figure frontierFigure(Function<String, String> query) {
        double budget = budget(query);
        List<Series> lines = new ArrayList<>();
        for (ScalingLaw law : ScalingLaws.all())
            if (law.hasLoss()) lines.add(alongFrontier(law, budget, ComputeOptimal::loss));
        return new Figure(
                "Loss on the compute-optimal frontier",
                "each law's own allocation of C; losses of different laws are on different data",
                "training compute C (FLOPs)",
                "loss (nats per token)",
                true,
                true,
                lines,
                List.of(),
                List.of(new Figure.Mark(budget, "budget " + Show.sci(budget))));
    }

    /** The compute-optimal model size of every law against compute, with the budget marked. */
    public static JFreeChart allocationChart(Function<String, String> query) {
        return allocationFigure(query).chart();
    }

    /** The series of {@link #allocationChart}: one line per law, and the budget. */
    public static Figure allocationFigure(Function<String, String> query) {
        double budget = budget(query);
        List<Series> lines = new ArrayList<>();
        for (ScalingLaw law : ScalingLaws.all())
            lines.add(alongFrontier(law, budget, o -> OptionalDouble.of(o.params())));
        return new Figure(
                "Compute-optimal model size",
                "N_opt(C) as each law recommends; D_opt = C / 6N_opt",
                "training compute C (FLOPs)",
                "parameters N",
                true,
                true,
                lines,
                List.of(),
                List.of(new Figure.Mark(budget, "budget " + Show.sci(budget))));
    }

    /** Iso-FLOP curves of the chosen law at budgets around the chosen one, with their loss-minimising sizes. */
    public static JFreeChart isoFlopChart(Function<String, String> query) {
        return isoFlopFigure(query).chart();
    }

    /** The series of {@link #isoFlopChart}: one curve per budget, their minima, and the user's N when given. */
    public static Figure isoFlopFigure(Function<String, String> query) {
        Map<String, String> values = values(query);
        Inputs in = new Inputs(values::get);
        double budget = budget(query);
        ScalingLaw law = ScalingLaws.resolve(in.text("law") == null ? OptimalReport.DEFAULT_LAW : in.text("law"));
        if (!law.hasLoss()) throw law.noLoss();
        List<Series> lines = new ArrayList<>();
        List<Double> ox = new ArrayList<>(), oy = new ArrayList<>();
        for (double f : ISO_FACTORS) {
            double c = budget * f;
            if (c < Planner.MIN_SEARCH_FLOPS || c > TrainingCompute.MAX_QUANTITY) continue;
            List<Double> x = new ArrayList<>(), y = new ArrayList<>();
            for (IsoFlopPoint p : Planner.isoFlop(law, c, 41, 30)) {
                x.add(p.params());
                y.add(p.loss());
            }
            lines.add(series("C = " + Show.sci(c), x, y));
            ComputeOptimal o = law.lossMinimising(c);
            ox.add(o.params());
            oy.add(o.loss().orElseThrow());
        }
        Double params = in.number("params");
        return new Figure(
                "Iso-FLOP curves: " + law.id(),
                null,
                "parameters N",
                "loss (nats per token)",
                true,
                false,
                lines,
                List.of(series("loss-minimising N", ox, oy)),
                params != null && params > 0 ? List.of(new Figure.Mark(params, "your N")) : List.of());
    }

    private static double budget(Function<String, String> query) {
        Inputs in = new Inputs(values(query)::get);
        Double c = in.number("compute");
        if (c == null)
            throw InvalidFieldException.withMessage("compute", "compute: give a budget in FLOPs (e.g. 1e24)");
        return dev.strata.model.internal.Checks.positive("compute", c, TrainingCompute.MAX_QUANTITY);
    }

    /** 41 budgets log-spaced over four decades either side of {@code budget}, within what the laws accept. */
    private static double[] budgets(double budget) {
        double from = Math.max(Math.log10(budget) - 4, Math.log10(Planner.MIN_SEARCH_FLOPS));
        double to = Math.min(Math.log10(budget) + 4, Math.log10(TrainingCompute.MAX_QUANTITY));
        double[] out = new double[41];
        for (int i = 0; i < out.length; i++) out[i] = Math.pow(10, from + (to - from) * i / (out.length - 1));
        return out;
    }

    /**
     * {@code value} of the law's compute-optimal allocation at each budget around {@code budget}: a budget outside the
     * law's range, or without a value, is left out.
     */
    private static Series alongFrontier(ScalingLaw law, double budget, Function<ComputeOptimal, OptionalDouble> value) {
        List<Double> x = new ArrayList<>(), y = new ArrayList<>();
        for (double c : budgets(budget)) {
            try {
                OptionalDouble v = value.apply(law.optimal(c));
                if (v.isPresent()) {
                    x.add(c);
                    y.add(v.getAsDouble());
                }
            } catch (IllegalArgumentException e) {
                // outside the law's range
            }
        }
        return series(law.id(), x, y);
    }

    private static Series series(String name, List<Double> x, List<Double> y) {
        return new Series(
                name,
                x.stream().mapToDouble(Double::doubleValue).toArray(),
                y.stream().mapToDouble(Double::doubleValue).toArray());
    }

    private static String card(String label, String value, String sub) {
        return TrainingPage.cardHtml(label, Html.esc(value), sub);
    }

    private static void row(StringBuilder b, String quantity, String value) {
        b.append("<tr><td>")
                .append(Html.esc(quantity))
                .append("</td><td class=\"num\">")
                .append(Html.esc(value))
                .append("</td></tr>");
    }
}
