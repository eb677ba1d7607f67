package dev.strata.web.page;

import com.fasterxml.jackson.databind.JsonNode;
import dev.strata.data.GpuPerformance;
import dev.strata.data.HardwareCatalog;
import dev.strata.data.HardwareEntry;
import dev.strata.data.Preset;
import dev.strata.data.PresetCatalog;
import dev.strata.data.Safetensors;
import dev.strata.estimator.sweep.Sweep;
import dev.strata.model.InvalidFieldException;
import dev.strata.web.chart.Charts;
import dev.strata.web.chart.Series;
import dev.strata.web.report.EstimateOptions;
import dev.strata.web.report.EstimateReport;
import dev.strata.web.report.Inputs;
import dev.strata.web.report.ResolvedModel;
import dev.strata.web.report.ServingOptions;
import dev.strata.web.report.SweepRequest;
import dev.strata.web.report.WorkBudget;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import org.jfree.chart.JFreeChart;

/**
 * The capacity planner at {@code /}: a model (preset, or a pasted config.json posted to the same page), hardware,
 * devices, formats, batch and lengths; shows the fit verdict with the memory breakdown, latency (floor and
 * calibrated), throughput, cost, capacity, and a sweep over batch or context. Every number comes from the same
 * {@link EstimateReport} JSON as {@code GET /api/estimate}; the page's state is its query string.
 */
public final class PlannerPage {
    /** The fields under "More options", in form order: names as the estimate API's query parameters. */
    static final List<String> ADVANCED = List.of(
            "tp",
            "pp",
            "ep",
            "prefill-chunk",
            "max-batched-tokens",
            "engine",
            "price",
            "bandwidth-efficiency",
            "compute-efficiency",
            "communication-efficiency");

    /** The planner's fields and their defaults, in form order. */
    static final Map<String, String> FIELDS = fields();

    private static Map<String, String> fields() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("model", "llama-3-8b");
        m.put("hardware", "h100-sxm");
        m.put("devices", "1");
        m.put("weights", "bf16");
        m.put("kv", "bf16");
        m.put("batch", "8");
        m.put("prompt", "1024");
        m.put("generate", "256");
        m.put("sweep", "batch");
        // advanced: blank means the default (tp and pp then split the devices; the catalog's price; the fitted
        // efficiencies of the device and engine)
        for (String name : ADVANCED) m.put(name, "");
        return m;
    }

    /** Where the app serves the uPlot WebJar's files (its {@code META-INF/resources/webjars/uplot}). */
    public static final String UPLOT_ASSETS = "/webjars/uplot";

    /** uPlot's folder of scripts and stylesheet, under the WebJar's version: the interactive charts. */
    static final String UPLOT = UPLOT_ASSETS + "/" + webjarVersion("org.webjars.npm", "uplot") + "/dist/";

    private static String webjarVersion(String group, String artifact) {
        String resource = "/META-INF/maven/" + group + "/" + artifact + "/pom.properties";
        try (java.io.InputStream in = PlannerPage.class.getResourceAsStream(resource)) {
            if (in == null)
                throw new IllegalStateException(resource + " is missing: the WebJar is not on the class path");
            java.util.Properties p = new java.util.Properties();
            p.load(in);
            return p.getProperty("version");
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private PlannerPage() {}

    /**
     * The values of the fields: the request's, or the defaults. A model or hardware that could name a file is refused
     * here (a 400 naming it): the page, its charts and its sweep resolve them, and the server reads no file a client
     * names ({@code hardware=/dev/zero} filled the heap, {@code model=/etc/hostname} echoed the file's first word).
     */
    public static Map<String, String> values(Function<String, String> request) {
        Map<String, String> v = new LinkedHashMap<>();
        FIELDS.forEach((k, d) -> {
            String x = request.apply(k);
            v.put(k, x == null || x.isBlank() ? d : x.trim());
        });
        for (String name : new String[] {"model", "hardware"})
            if (v.get(name) != null) ResolvedModel.catalogId(name, v.get(name));
        return v;
    }

    /** The estimate JSON for the page's values ({@code config}: pasted config.json text, or null for the preset). */
    public static JsonNode estimate(Map<String, String> v, String config) {
        return estimate(v, config, null);
    }

    /** As {@link #estimate(Map, String)}; {@code uploaded}, when not null, is the model (a GGUF header's). */
    static JsonNode estimate(Map<String, String> v, String config, ResolvedModel uploaded) {
        ResolvedModel model = uploaded != null
                ? uploaded
                : config != null && !config.isBlank()
                        ? ResolvedModel.ofConfigText(config)
                        : ResolvedModel.of(presetId(v.get("model")));
        Function<String, String> values = v::get;
        EstimateOptions options = EstimateOptions.parse(values, "", model);
        ServingOptions serving = ServingOptions.parse(values, "", options);
        WorkBudget.checkEstimate(model, serving);
        return EstimateReport.of(model, options, serving);
    }

    /**
     * The page; status 400 when a field is invalid, else 200. {@code config}: pasted config.json text (posted, or given
     * as a query parameter), which replaces the Model list; null or blank for the preset.
     */
    public static Page render(Map<String, String> v, String config) {
        return render(v, config, List.of());
    }

    /**
     * The names among {@code names} (a request's parameters) that are no field of the page: the page says it does not
     * use them instead of ignoring them without a word.
     */
    public static List<String> unknown(Iterable<String> names) {
        List<String> out = new ArrayList<>();
        for (String n : names) if (!FIELDS.containsKey(n) && !n.equals("config") && !n.equals("file")) out.add(n);
        return out;
    }

    /** As {@link #render(Map, String)}; {@code unknown}: the request's parameters the page does not use, named on it. */
    public static Page render(Map<String, String> v, String config, List<String> unknown) {
        return render(v, config, unknown, null);
    }

    /**
     * Largest upload of the model picker (the server refuses a larger body unread): a GGUF header holds the
     * tokenizer's vocabulary and merges, several MiB (Llama 3's about 8); the page sends only this much of a larger
     * file.
     */
    public static final long MAX_UPLOAD_BYTES = 32L << 20;

    /** The field of the model picker's upload. */
    public static final String FILE = "file";

    /**
     * What the model picker's upload gave (a config.json, a GGUF header, a safetensors index), for the page.
     *
     * @param fileName the uploaded file's name
     * @param kind     {@code config}, {@code gguf} or {@code index}
     * @param config   the config.json the page keeps as the model (the file's text, a GGUF's metadata as config keys,
     *                 or for an index the config already given); null when the upload was refused
     * @param model    the model a GGUF header gives (its tensors counted); null otherwise
     * @param index    what an index says; null otherwise
     * @param error    why the upload was refused (naming {@link #FILE}); null when it was not
     * @param status   the page's status when refused: 400, or 413 when too large
     */
    public record Upload(
            String fileName,
            String kind,
            String config,
            ResolvedModel model,
            Safetensors.Index index,
            String error,
            int status) {
        /** An upload refused with {@code status} and {@code error}. */
        public static Upload refused(String fileName, String kind, String error, int status) {
            return new Upload(fileName, kind, null, null, null, error, status);
        }
    }

    /**
     * Reads the model picker's upload {@code bytes} named {@code fileName}, as {@code --model} reads a file: a GGUF
     * file (by its magic) gives the model from its header, a {@code model.safetensors.index.json} (by its
     * {@code weight_map}) is checked against {@code config} (the config already given; an index alone names no
     * architecture), anything else is a config.json. Null when no file was chosen.
     */
    public static Upload upload(String fileName, byte[] bytes, String config) {
        if (bytes == null || bytes.length == 0) return null;
        String name = fileName == null || fileName.isBlank() ? "the upload" : fileName;
        boolean gguf =
                bytes.length >= 4 && new String(bytes, 0, 4, java.nio.charset.StandardCharsets.US_ASCII).equals("GGUF");
        if (gguf || name.toLowerCase(Locale.ROOT).endsWith(".gguf")) {
            try {
                ResolvedModel.FromGguf g = ResolvedModel.ofGguf(bytes, name, FILE);
                return new Upload(name, "gguf", g.config(), g.model(), null, null, 200);
            } catch (InvalidFieldException e) {
                return Upload.refused(name, "gguf", named(Show.message(e.getMessage())), 400);
            }
        }
        String text = new String(bytes, java.nio.charset.StandardCharsets.UTF_8);
        if (name.endsWith("index.json") || text.contains("\"weight_map\"")) {
            Safetensors.Index index;
            try {
                index = Safetensors.readIndex(text, FILE, name);
            } catch (InvalidFieldException e) {
                return Upload.refused(name, "index", named(Show.message(e.getMessage())), 400);
            }
            if (config == null || config.isBlank())
                return Upload.refused(
                        name,
                        "index",
                        FILE + ": " + name + " names the checkpoint's "
                                + index.tensorNames().size()
                                + " tensors and their shards but not the architecture, so no model can be built from"
                                + " it alone: paste or upload the model's config.json first, then the index to check"
                                + " it against the config. (The command line reads the index with its shards' headers"
                                + " from the checkpoint's folder: --model FOLDER.)",
                        400);
            return new Upload(name, "index", config, null, index, null, 200);
        }
        return new Upload(name, "config", text, null, null, null, 200);
    }

    /** {@code message} starting with the field it is about, {@link #FILE}. */
    private static String named(String message) {
        return message.startsWith(FILE + ":") ? message : FILE + ": " + message;
    }

    /** As {@link #render(Map, String, List)}, with what the model picker's upload gave ({@link #upload}; or null). */
    public static Page render(Map<String, String> v, String config, List<String> unknown, Upload upload) {
        if (upload != null && upload.config() != null) config = upload.config();
        if (config != null && config.isBlank()) config = null;
        boolean pasted = config != null;
        int status = 200;
        JsonNode result = null;
        String errorField = null, error = null;
        try {
            result = estimate(v, config, upload == null ? null : upload.model());
        } catch (InvalidFieldException e) {
            errorField = e.field();
            error = Show.message(e.getMessage());
            status = 400;
        }
        if (upload != null && upload.error() != null) status = upload.status();
        String q = Html.query(query(v));
        StringBuilder b = new StringBuilder();
        b.append("<form class=\"inputs\" id=\"planner\" method=\"")
                .append(pasted ? "post" : "get")
                .append("\" action=\"/\">");
        // with JavaScript, a search box filters the model list (planner.js shows it); the list works without it
        b.append("<label class=\"model-search\" hidden>Search the models")
                .append("<input type=\"search\" id=\"model-search\" autocomplete=\"off\"")
                .append(" placeholder=\"e.g. qwen, 70b, moe\"></label>");
        select(
                b,
                "model",
                pasted ? "Model (not used: a config is pasted)" : "Model",
                v.get("model"),
                presetOptions(),
                errorField,
                error);
        select(b, "hardware", "Hardware", v.get("hardware"), hardwareOptions(), errorField, error);
        input(b, "devices", "Devices", v.get("devices"), false, null, errorField, error);
        select(
                b,
                "weights",
                "Weights",
                v.get("weights"),
                options("fp32", "bf16", "fp16", "fp8", "int8", "int4", "nf4-dq"),
                errorField,
                error);
        select(
                b,
                "kv",
                "KV cache",
                v.get("kv"),
                options("fp32", "bf16", "fp16", "fp8", "int8", "int4-g64"),
                errorField,
                error);
        input(b, "batch", "Batch", v.get("batch"), false, null, errorField, error);
        input(b, "prompt", "Prompt tokens", v.get("prompt"), false, null, errorField, error);
        input(b, "generate", "Output tokens", v.get("generate"), false, null, errorField, error);
        select(b, "sweep", "Sweep over", v.get("sweep"), options("batch", "context"), errorField, error);
        advanced(b, v, errorField, error);
        b.append("<label class=\"wide")
                .append(isConfigError(errorField) ? " invalid" : "")
                .append("\">Or paste a config.json (replaces the Model list; posted, not kept in the URL)")
                .append(
                        "<textarea name=\"config\" id=\"config\" rows=\"3\" placeholder=\"{&quot;model_type&quot;: &quot;llama&quot;, ...}\">")
                .append(Html.esc(config == null ? "" : config))
                .append("</textarea>");
        if (isConfigError(errorField))
            b.append("<span class=\"field-error\" id=\"error-config\">")
                    .append(Html.esc(error))
                    .append("</span>");
        b.append("</label><button type=\"submit\">Estimate</button></form>");
        upload(b, v, config, upload == null ? null : upload.error());
        // posts the form when a config is pasted (too long for a URL); without it a GET carries the config instead
        // and, with JavaScript, updates the results as the fields change and draws the charts with uPlot
        b.append(Html.chartScripts("planner.js"));
        b.append("<div id=\"results\">");
        if (!unknown.isEmpty()) {
            b.append("<p class=\"error-box\" id=\"unknown\">Not used: ");
            for (int i = 0; i < unknown.size(); i++)
                b.append(i == 0 ? "" : ", ")
                        .append("<code>")
                        .append(Html.esc(unknown.get(i)))
                        .append("</code>");
            b.append(unknown.size() == 1 ? " is not a field" : " are not fields")
                    .append(" of the planner, whose fields are ")
                    .append(String.join(", ", FIELDS.keySet()))
                    .append(" and config. The API's other options are at /api/estimate (see /api-docs).</p>");
        }
        if (error != null && !FIELDS.containsKey(errorField) && !isConfigError(errorField))
            b.append("<p class=\"error-box\" id=\"error\">")
                    .append(Html.esc(error))
                    .append("</p>");
        if (result != null && !pasted)
            b.append("<p class=\"compare-link\"><a id=\"compare-link\" href=\"/compare?")
                    .append(Html.esc(q))
                    .append("\">Compare with other hardware/formats</a></p>");
        if (result != null) results(b, result, v, q, !pasted, pasted, upload);
        b.append("</div>");
        return new Page(status, Html.page("Capacity planner", "Planner", b.toString()));
    }

    private static void results(
            StringBuilder b,
            JsonNode r,
            Map<String, String> v,
            String q,
            boolean linkable,
            boolean pasted,
            Upload upload) {
        JsonNode mem = r.get("memory");
        boolean fits = mem.path("fits").asBoolean(false);
        // which model these numbers are for: a pasted config replaces the Model list, so say so
        b.append("<p class=\"showing\" id=\"showing\">Showing <strong>")
                .append(Html.esc(r.at("/model/name").asText()))
                .append("</strong>");
        if (pasted && r.at("/model/family").isTextual())
            b.append(" (").append(Html.esc(r.at("/model/family").asText())).append(')');
        b.append(", ").append(Show.count(r.at("/params/total").asDouble())).append(" parameters");
        if (r.at("/model/mixtureOfExperts").asBoolean())
            b.append(" (").append(Show.count(r.at("/params/active").asDouble())).append(" active per token)");
        boolean uploaded = upload != null && upload.error() == null;
        if (uploaded && upload.kind().equals("gguf"))
            b.append(", from the header of the GGUF file ")
                    .append(Html.esc(upload.fileName()))
                    .append(" (its metadata, read as a config.json, is now in the config box, so later changes keep"
                            + " this model; the Model list is not used).");
        else if (uploaded && upload.kind().equals("config"))
            b.append(", from the uploaded ")
                    .append(Html.esc(upload.fileName()))
                    .append(" (now in the config box; the Model list is not used).");
        else
            b.append(
                    pasted
                            ? ", from the pasted config.json (the Model list is not used while a config is pasted)."
                            : ".");
        b.append("</p>");
        if (uploaded) uploadNote(b, r, upload);
        layout(b, r, v);
        String misfit = null;
        if (!fits) {
            misfit = "Does not fit: needs " + Show.gb(mem.get("perDeviceBytes").asDouble())
                    + " per device, the device has "
                    + Show.gb(mem.get("deviceMemoryBytes").asDouble())
                    + ". Latency and cost below are what the setup would give if it fitted.";
            b.append("<p class=\"error-box\" id=\"misfit\">")
                    .append(Html.esc(misfit))
                    .append("</p>");
        }
        String off = fits ? null : "not-fitting";
        b.append("<div class=\"cards\">");
        card(
                b,
                "Fits on " + r.at("/workload/devices").asInt() + " x "
                        + r.at("/latency/hardware").asText(),
                fits ? "yes" : "no",
                String.format(
                        Locale.ROOT,
                        "%s of %s per device, headroom %s",
                        Show.gb(mem.get("perDeviceBytes").asDouble()),
                        Show.gb(mem.get("deviceMemoryBytes").asDouble()),
                        pct(mem.get("headroomFraction").asDouble())),
                fits ? "verdict-ok" : "verdict-no",
                "fits",
                null);
        JsonNode per = r.at("/latency/perRequest");
        String batchPrefill = "whole batch's prefill "
                + Show.seconds(r.at("/latency/prefillSeconds/calibrated").asDouble()) + " (floor "
                + Show.seconds(r.at("/latency/prefillSeconds/floor").asDouble())
                + ", " + r.at("/latency/bound/prefill").asText() + "-bound)";
        if (per.has("timeToFirstTokenMeanSeconds"))
            card(
                    b,
                    "Time to first token, per request",
                    Show.seconds(per.get("timeToFirstTokenMeanSeconds").asDouble()),
                    "mean; p90 "
                            + Show.seconds(per.get("timeToFirstTokenP90Seconds").asDouble()) + "; " + batchPrefill,
                    off,
                    "ttft",
                    misfit);
        else
            card(
                    b,
                    "Time to first token, whole batch",
                    Show.seconds(r.at("/latency/prefillSeconds/calibrated").asDouble()),
                    "the batch's prompts in one pass (floor "
                            + Show.seconds(r.at("/latency/prefillSeconds/floor").asDouble())
                            + ", " + r.at("/latency/bound/prefill").asText()
                            + "-bound); per request not simulated: "
                            + (fits ? "the batch is too large" : "it does not fit"),
                    off,
                    "ttft",
                    misfit);
        card(
                b,
                "Time per output token",
                Show.seconds(r.at("/latency/decodeSecondsPerToken/calibrated").asDouble()),
                "floor "
                        + Show.seconds(
                                r.at("/latency/decodeSecondsPerToken/floor").asDouble()) + ", "
                        + r.at("/latency/bound/decode").asText() + "-bound at "
                        + Show.count(r.at("/latency/decodeContextTokens").asDouble()) + " tokens"
                        + band(r, "decodeSecondsPerToken"),
                off,
                "tpot",
                misfit);
        card(
                b,
                "Throughput",
                Show.count(r.at("/throughput/tokensPerSecond/calibrated").asDouble()) + " tok/s",
                "output tokens, whole batch; floor "
                        + Show.count(r.at("/throughput/tokensPerSecond/floor").asDouble()) + "; "
                        + Show.sig(r.at("/throughput/tokensPerSecondPerSequence/calibrated")
                                .asDouble())
                        + " tok/s per sequence",
                off,
                "throughput",
                misfit);
        if (r.has("cost")) {
            // per request includes the request's prefill; so does the per-million figure shown here (the API's
            // costPerMillionTokensUsd is decode alone, named as such below)
            double perRequest = r.at("/cost/costPerRequestUsd").asDouble();
            long generated = Math.max(1, r.at("/workload/generatedTokens").asLong());
            card(
                    b,
                    "Cost per million output tokens",
                    usd(perRequest / generated * 1e6),
                    "prompt prefill included: " + usd(perRequest) + " per request of "
                            + Show.count(r.at("/workload/promptTokens").asDouble()) + " + "
                            + Show.count(generated) + " tokens; decode alone "
                            + usd(r.at("/cost/costPerMillionTokensUsd").asDouble()) + " per million; at "
                            + String.format(
                                    Locale.ROOT,
                                    "$%.2f",
                                    r.at("/cost/pricePerDeviceHourUsd").asDouble())
                            + " per device-hour",
                    off,
                    "cost",
                    misfit);
        }
        card(
                b,
                "Max batch / max context",
                Show.count(r.at("/capacity/maxBatch").asDouble()) + " / "
                        + Show.count(r.at("/capacity/maxContextTokens").asDouble()),
                "model context "
                        + Show.count(r.at("/capacity/modelContextTokens").asDouble()) + "; min devices "
                        + r.at("/capacity/minDevices").asText("-"),
                null,
                "capacity",
                null);
        b.append("</div>");
        b.append("<p class=\"note\">Calibrated = datasheet x efficiency (bandwidth ")
                .append(r.at("/latency/efficiency/bandwidth").asDouble())
                .append(", compute ")
                .append(r.at("/latency/efficiency/compute").asDouble())
                .append(", communication ")
                .append(r.at("/latency/efficiency/communication").asDouble())
                .append("); the floor is 100 % of the datasheet.");
        if (r.at("/latency/errorBand").isObject())
            b.append(" Engine ")
                    .append(Html.esc(r.at("/latency/engine/id").asText()))
                    .append(r.at("/latency/engine/calibrated").asBoolean() ? " (fitted)" : " (assumed, not fitted)")
                    .append("; validated error band &plusmn;")
                    .append(Math.round(100
                            * r.at("/latency/errorBand/decodeSecondsPerToken").asDouble()))
                    .append(" % for decode, &plusmn;")
                    .append(Math.round(
                            100 * r.at("/latency/errorBand/prefillSeconds").asDouble()))
                    .append(" % for the first token (p80 of cross-validated published runs: ")
                    .append("<a href=\"/validation\" id=\"validation-link\">the comparison</a>).");
        b.append(" Set them under More options.</p>");
        if (linkable) {
            // each chart: the server's image (for export and pages without JavaScript), which planner.js replaces
            // with an interactive uPlot chart drawn from the JSON API (data-src)
            b.append("<h2>Memory per device</h2>")
                    .append(Html.chartBox(
                            "memory-plot",
                            "memory",
                            "/api/estimate?" + q,
                            "memory-chart",
                            "memory per device",
                            "/chart/memory.png?" + q,
                            ""));
            b.append("<p class=\"downloads\"><a href=\"/chart/memory.svg?")
                    .append(Html.esc(q))
                    .append("\">SVG</a><a id=\"estimate-csv\" href=\"/api/estimate?")
                    .append(Html.esc(q))
                    .append("&amp;format=csv\">CSV</a><a id=\"estimate-json\" href=\"/api/estimate?")
                    .append(Html.esc(q))
                    .append("\">JSON</a></p>");
            boolean overBatch = !"context".equals(v.get("sweep"));
            String sweepQuery = Html.query(sweepValues(v));
            b.append("<h2>Decode latency and throughput</h2><div class=\"chart-box\" id=\"sweep-plot\"")
                    .append(" data-chart=\"sweep\" data-axis=\"")
                    .append(overBatch ? "batch" : "context")
                    .append("\" data-chosen=\"")
                    .append(
                            overBatch
                                    ? r.at("/workload/batch").asLong()
                                    : r.at("/workload/contextTokens").asLong())
                    .append("\" data-max=\"")
                    .append(
                            overBatch
                                    ? r.at("/capacity/maxBatch").asLong()
                                    : r.at("/capacity/maxContextTokens").asLong())
                    .append("\" data-src=\"/api/sweep?")
                    .append(Html.esc(sweepQuery))
                    .append("&amp;format=json\">");
            b.append("<img class=\"chart\" id=\"sweep-chart\" alt=\"sweep\" src=\"/chart/sweep.png?")
                    .append(Html.esc(q))
                    .append("\"></div>");
            b.append("<p class=\"downloads\"><a href=\"/chart/sweep.svg?")
                    .append(Html.esc(q))
                    .append("\">SVG</a><a id=\"sweep-csv\" href=\"/api/sweep?")
                    .append(Html.esc(sweepQuery))
                    .append("\">CSV</a><a id=\"sweep-json\" href=\"/api/sweep?")
                    .append(Html.esc(sweepQuery))
                    .append("&amp;format=json\">JSON lines</a></p>");
        }
        b.append("<h2>Memory breakdown (most loaded device)</h2><div class=\"table-scroll\"><table id=\"memory\">")
                .append("<thead><tr><th>term</th><th class=\"num\">size</th><th class=\"num\">GiB</th>")
                .append("<th class=\"num\">bytes</th></tr></thead><tbody>");
        for (var it = mem.get("perDevice").fields(); it.hasNext(); ) {
            var e = it.next();
            double bytes = e.getValue().asDouble();
            b.append("<tr><td>")
                    .append(Glossary.term(e.getKey(), words(e.getKey())))
                    .append("</td><td class=\"num\">")
                    .append(Show.bytes(bytes))
                    .append("</td><td class=\"num\">")
                    .append(Show.sig(bytes / (1L << 30)))
                    .append("</td><td class=\"num\">")
                    .append(Show.count(bytes))
                    .append("</td></tr>");
        }
        b.append("</tbody></table></div>");
        b.append("<h2>Decode step by term</h2><div class=\"table-scroll\"><table id=\"decode\"><thead><tr>")
                .append("<th>term</th><th class=\"num\">memory read</th><th class=\"num\">compute</th>")
                .append("<th class=\"num\">floor</th><th class=\"num\">calibrated</th></tr></thead><tbody>");
        for (var it = r.at("/latency/decodeBreakdown").fields(); it.hasNext(); ) {
            var e = it.next();
            JsonNode t = e.getValue();
            b.append("<tr><td>")
                    .append(Glossary.term(e.getKey(), words(e.getKey())))
                    .append("</td><td class=\"num\">")
                    .append(Show.bytes(t.get("bytes").asDouble()))
                    .append("</td><td class=\"num\">")
                    .append(Show.flops(t.get("flops").asDouble()))
                    .append("</td><td class=\"num\">")
                    .append(Show.seconds(t.get("floorSeconds").asDouble()))
                    .append("</td><td class=\"num\">")
                    .append(Show.seconds(t.get("calibratedSeconds").asDouble()))
                    .append("</td></tr>");
        }
        b.append("</tbody></table></div>");
    }

    /**
     * The layout the numbers are for: tensor x pipeline x expert parallel, as given or as the devices were split (a 70B
     * on 6 devices is 2 x 3, which the page says rather than leaving it to be guessed).
     */
    private static void layout(StringBuilder b, JsonNode r, Map<String, String> v) {
        JsonNode w = r.get("workload");
        boolean given = !v.get("tp").isEmpty() || !v.get("pp").isEmpty();
        b.append("<p class=\"layout\" id=\"layout\">Layout: <strong>tp ")
                .append(w.get("tensorParallel").asInt())
                .append(" x pp ")
                .append(w.get("pipelineParallel").asInt())
                .append(" x ep ")
                .append(w.get("expertParallel").asInt())
                .append("</strong>");
        if (w.get("dataParallel").asInt() > 1)
            b.append(" x dp ").append(w.get("dataParallel").asInt());
        b.append(" on ")
                .append(w.get("devices").asInt())
                .append(w.get("devices").asInt() == 1 ? " device" : " devices");
        b.append(
                given
                        ? " (as given)."
                        : " (the split of the devices strata chose: tensor parallel up to 8 and dividing the heads, then"
                                + " pipeline stages; set tp and pp under More options to choose another).");
        b.append("</p>");
    }

    /** Stacked bar of the most loaded device's memory terms beside its capacity. */
    public static JFreeChart memoryChart(Map<String, String> v) {
        JsonNode r = estimate(v, null);
        JsonNode per = r.at("/memory/perDevice");
        List<String> categories = List.of("needed", "capacity");
        Map<String, double[]> values = new LinkedHashMap<>();
        for (var it = per.fields(); it.hasNext(); ) {
            var e = it.next();
            values.put(words(e.getKey()), new double[] {e.getValue().asDouble() / 1e9, 0});
        }
        values.put(
                "device memory",
                new double[] {0, r.at("/memory/deviceMemoryBytes").asDouble() / 1e9});
        return Charts.stackedBars(
                r.at("/model/name").asText() + " on "
                        + r.at("/workload/devices").asInt() + " x "
                        + r.at("/latency/hardware").asText(),
                "GB per device",
                categories,
                values);
    }

    /** Decode time per token (floor and calibrated) and throughput over batch (doubling) or context (doubling). */
    public static JFreeChart sweepChart(Map<String, String> v) {
        boolean overBatch = !"context".equals(v.get("sweep"));
        Map<String, String> s = sweepValues(v);
        SweepRequest req = SweepRequest.parse(
                s::get,
                "",
                m -> PresetCatalog.get(ResolvedModel.catalogId("model", m)).spec(),
                100_000);
        List<double[]> pts = new ArrayList<>();
        Sweep.run(req.base(), req.axes(), row -> {
            if (row.fits())
                pts.add(new double[] {
                    overBatch ? row.batch() : row.promptTokens() + row.generatedTokens(),
                    row.decodeFloorSeconds() * 1e3,
                    row.decodeSeconds() * 1e3,
                    row.tokensPerSecond()
                });
        });
        double[] x = new double[pts.size()],
                floor = new double[pts.size()],
                cal = new double[pts.size()],
                tps = new double[pts.size()];
        for (int i = 0; i < pts.size(); i++) {
            x[i] = pts.get(i)[0];
            floor[i] = pts.get(i)[1];
            cal[i] = pts.get(i)[2];
            tps[i] = pts.get(i)[3];
        }
        JFreeChart chart = Charts.lines(
                "Decode time per token and throughput (points that fit)",
                overBatch ? "batch" : "context tokens",
                "ms per token",
                true,
                true,
                List.of(
                        new Series("time per token, floor (ms)", x, floor),
                        new Series("time per token, calibrated (ms)", x, cal)));
        Charts.addSecondaryAxis(chart, "tokens/s", true, new Series("throughput, calibrated (tokens/s)", x, tps));
        // the chosen point and the largest that fits, as the interactive chart marks them
        JsonNode r = estimate(v, null);
        double chosen = overBatch
                ? r.at("/workload/batch").asDouble()
                : r.at("/workload/contextTokens").asDouble();
        double max = overBatch
                ? r.at("/capacity/maxBatch").asDouble()
                : r.at("/capacity/maxContextTokens").asDouble();
        if (x.length > 0 && chosen >= x[0] && chosen <= x[x.length - 1])
            Charts.verticalLine(chart, chosen, "chosen " + Show.count(chosen));
        if (x.length > 0 && max >= x[0] && max <= x[x.length - 1] && max != chosen)
            Charts.verticalLine(chart, max, "max " + Show.count(max));
        return chart;
    }

    /** The sweep behind the chart and its CSV: the page's values with the batch (or the prompt) doubling. */
    static Map<String, String> sweepValues(Map<String, String> v) {
        Map<String, String> s = new LinkedHashMap<>(v);
        s.remove("sweep");
        // a sweep's devices would split each point anew: the tp and pp given are the layout instead
        if (!v.getOrDefault("tp", "").isEmpty() || !v.getOrDefault("pp", "").isEmpty()) s.remove("devices");
        if (!"context".equals(v.get("sweep"))) {
            s.put("batch", "1..1024x2");
        } else {
            long max = PresetCatalog.get(presetId(v.get("model"))).spec().contextLength()
                    - parse(v.get("generate"), "generate");
            if (max < 128)
                throw new InvalidFieldException(
                        "generate", v.get("generate"), "small enough to leave 128 prompt tokens in the context");
            s.put("prompt", "128.." + max + "x2");
        }
        return s;
    }

    private static long parse(String text, String field) {
        try {
            return Inputs.parseLong(text.trim());
        } catch (NumberFormatException e) {
            throw new InvalidFieldException(field, text, "an integer");
        }
    }

    private static Map<String, String> query(Map<String, String> v) {
        return new LinkedHashMap<>(v);
    }

    private static boolean isConfigError(String field) {
        return field != null
                && (field.equals("config")
                        || (!FIELDS.containsKey(field) && !field.contains(".") && field.contains("_")));
    }

    private static String presetId(String v) {
        return ResolvedModel.catalogId("model", v);
    }

    private static Map<String, String> presetOptions() {
        Map<String, String> m = new LinkedHashMap<>();
        for (Preset p : PresetCatalog.all()) m.put(p.id(), p.name());
        return m;
    }

    private static Map<String, String> hardwareOptions() {
        Map<String, String> m = new LinkedHashMap<>();
        for (HardwareEntry e : HardwareCatalog.all()) m.put(e.id(), e.hardware().name());
        return m;
    }

    private static Map<String, String> options(String... ids) {
        Map<String, String> m = new LinkedHashMap<>();
        for (String id : ids) m.put(id, id);
        return m;
    }

    private static void select(
            StringBuilder b,
            String name,
            String label,
            String value,
            Map<String, String> options,
            String errorField,
            String error) {
        boolean bad = name.equals(errorField);
        b.append("<label")
                .append(bad ? " class=\"invalid\"" : "")
                .append('>')
                .append(label)
                .append("<select name=\"")
                .append(name)
                .append("\" id=\"")
                .append(name)
                .append("\">");
        boolean found = false;
        for (var o : options.entrySet()) {
            boolean sel = o.getKey().equals(value);
            found |= sel;
            b.append("<option value=\"")
                    .append(Html.esc(o.getKey()))
                    .append('"')
                    .append(sel ? " selected" : "")
                    .append('>')
                    .append(Html.esc(o.getValue()))
                    .append("</option>");
        }
        if (!found)
            b.append("<option value=\"")
                    .append(Html.esc(value))
                    .append("\" selected>")
                    .append(Html.esc(value))
                    .append("</option>");
        b.append("</select>");
        if (bad)
            b.append("<span class=\"field-error\" id=\"error-")
                    .append(name)
                    .append("\">")
                    .append(Html.esc(error))
                    .append("</span>");
        b.append("</label>");
    }

    /**
     * A text field for a number: {@code inputmode} brings up the number keyboard (decimal where fractions are
     * allowed); it stays a text field, which the server parses.
     */
    private static void input(
            StringBuilder b,
            String name,
            String label,
            String value,
            boolean decimal,
            String placeholder,
            String errorField,
            String error) {
        boolean bad = name.equals(errorField);
        b.append("<label")
                .append(bad ? " class=\"invalid\"" : "")
                .append('>')
                .append(label)
                .append("<input name=\"")
                .append(name)
                .append("\" id=\"")
                .append(name)
                .append("\" inputmode=\"")
                .append(decimal ? "decimal" : "numeric")
                .append('"');
        if (placeholder != null)
            b.append(" placeholder=\"").append(Html.esc(placeholder)).append('"');
        b.append(" value=\"").append(Html.esc(value)).append("\">");
        if (bad)
            b.append("<span class=\"field-error\" id=\"error-")
                    .append(name)
                    .append("\">")
                    .append(Html.esc(error))
                    .append("</span>");
        b.append("</label>");
    }

    /**
     * The advanced fields in a {@code <details>}: open when one of them is set or refused, so that what shapes the
     * numbers is on screen.
     */
    private static void advanced(StringBuilder b, Map<String, String> v, String errorField, String error) {
        boolean open = errorField != null && ADVANCED.contains(errorField);
        for (String name : ADVANCED) open |= !v.get(name).isEmpty();
        b.append("<details class=\"wide more\" id=\"more\"")
                .append(open ? " open" : "")
                .append(
                        "><summary>More options: parallelism, prefill chunk and budget, engine, price, efficiency</summary>")
                .append("<div class=\"more-fields\">");
        input(b, "tp", "Tensor parallel (tp)", v.get("tp"), false, "from devices", errorField, error);
        input(b, "pp", "Pipeline stages (pp)", v.get("pp"), false, "from devices", errorField, error);
        input(b, "ep", "Expert parallel (ep)", v.get("ep"), false, "1", errorField, error);
        input(
                b,
                "prefill-chunk",
                "Prefill chunk, tokens",
                v.get("prefill-chunk"),
                false,
                "0: whole prompt",
                errorField,
                error);
        input(
                b,
                "max-batched-tokens",
                "Token budget of a prefill pass",
                v.get("max-batched-tokens"),
                false,
                "8192; 0: whole batch",
                errorField,
                error);
        Map<String, String> engines = new LinkedHashMap<>();
        engines.put("", "default (" + GpuPerformance.defaultEngine() + ")");
        for (String id : GpuPerformance.engines().keySet()) engines.put(id, id);
        select(b, "engine", "Serving engine", v.get("engine"), engines, errorField, error);
        input(b, "price", "Price per device-hour, USD", v.get("price"), true, "catalog price", errorField, error);
        input(
                b,
                "bandwidth-efficiency",
                "Bandwidth efficiency (0 to 1)",
                v.get("bandwidth-efficiency"),
                true,
                "fitted",
                errorField,
                error);
        input(
                b,
                "compute-efficiency",
                "Compute efficiency (0 to 1)",
                v.get("compute-efficiency"),
                true,
                "fitted",
                errorField,
                error);
        input(
                b,
                "communication-efficiency",
                "Communication efficiency (0 to 1)",
                v.get("communication-efficiency"),
                true,
                "fitted",
                errorField,
                error);
        b.append("</div></details>");
    }

    /**
     * A JSON name of a memory or time term in words for a legend or a table ({@code kvCacheBytes}: "KV cache",
     * {@code runtimeOverheadBytes}: "runtime overhead").
     */
    public static String words(String name) {
        String n = name.endsWith("Bytes") ? name.substring(0, name.length() - "Bytes".length()) : name;
        String spaced = n.replaceAll("([a-z0-9])([A-Z])", "$1 $2").toLowerCase(Locale.ROOT);
        return spaced.replaceAll("\\bkv\\b", "KV")
                .replaceAll("\\bmlp\\b", "MLP")
                .replaceAll("\\blm\\b", "LM");
    }

    /**
     * A result card; {@code data-quantity} names what it shows (the browser test's contract). A {@code not-fitting}
     * card carries the reason as its title.
     */
    private static void card(
            StringBuilder b, String label, String value, String sub, String cls, String id, String reason) {
        boolean off = "not-fitting".equals(cls);
        b.append("<div class=\"card")
                .append(off ? " not-fitting" : "")
                .append("\" id=\"card-")
                .append(id)
                .append("\" data-quantity=\"")
                .append(id)
                .append('"')
                .append(off && reason != null ? " title=\"" + Html.esc(reason) + "\"" : "")
                .append("><div class=\"label\">")
                .append(Glossary.term(id, label))
                .append(off ? " <span class=\"tag\">does not fit</span>" : "")
                .append("</div><div class=\"value")
                .append(cls == null || off ? "" : " " + cls)
                .append("\">")
                .append(Html.esc(value))
                .append("</div><div class=\"sub\">")
                .append(Html.esc(sub))
                .append("</div></div>");
    }

    /** "; validated ±15 %" from the estimate's error band for {@code quantity}, or nothing when it has none. */
    private static String band(JsonNode r, String quantity) {
        JsonNode e = r.at("/latency/errorBand/" + quantity);
        return e.isNumber() ? "; validated \u00b1" + Math.round(100 * e.asDouble()) + " % (p80)" : "";
    }

    /**
     * What an uploaded GGUF header or safetensors index holds beside strata's count of the model shown: the tensors'
     * parameters and bytes (GGUF), or the index's totals (an index gives no shapes, so only its metadata can be
     * compared), as {@code strata estimate --model} puts them under {@code checkpoint}.
     */
    private static void uploadNote(StringBuilder b, JsonNode r, Upload upload) {
        JsonNode p = r.get("params");
        double strata = p.has("checkpointTotal")
                ? p.get("checkpointTotal").asDouble()
                : p.get("total").asDouble();
        JsonNode c = r.get("checkpoint");
        if (upload.kind().equals("gguf") && c != null) {
            b.append("<p class=\"note\" id=\"upload-note\">The file's ")
                    .append(Show.count(c.get("tensors").asDouble()))
                    .append(" tensors hold ")
                    .append(Show.count(c.get("parameters").asDouble()))
                    .append(" parameters in ")
                    .append(Show.bytes(c.get("bytes").asDouble()))
                    .append(" (");
            var types = c.get("elementsByDtype").fieldNames();
            for (int i = 0; types.hasNext(); i++) b.append(i == 0 ? "" : ", ").append(Html.esc(types.next()));
            b.append("); strata counts ").append(Show.count(strata)).append(" from its metadata");
            long d = c.get("differenceFromStrata").asLong();
            b.append(d == 0 ? ", the same." : ": the file holds " + (d > 0 ? "+" : "") + Show.count(d) + ".")
                    .append("</p>");
        } else if (upload.kind().equals("index")) {
            Safetensors.Index x = upload.index();
            b.append("<p class=\"note\" id=\"upload-note\">")
                    .append(Html.esc(upload.fileName()))
                    .append(" lists ")
                    .append(Show.count(x.tensorNames().size()))
                    .append(" tensors in ")
                    .append(x.shards())
                    .append(x.shards() == 1 ? " shard" : " shards");
            if (x.totalParameters() != null) {
                long d = x.totalParameters() - Math.round(strata);
                b.append("; its total_parameters is ")
                        .append(Show.count(x.totalParameters()))
                        .append(", strata counts ")
                        .append(Show.count(strata))
                        .append(
                                d == 0
                                        ? " (the same)"
                                        : " (the index holds " + (d > 0 ? "+" : "") + Show.count(d) + ")");
            }
            if (x.totalSize() != null) {
                b.append("; its total_size is ").append(Show.bytes(x.totalSize()));
                JsonNode w = r.at("/memory/weightsBytes");
                if (w.isNumber())
                    b.append(", strata's weights in the chosen format ").append(Show.bytes(w.asDouble()));
            }
            b.append(". An index holds no tensor shapes: the command line counts each tensor from the shards' headers")
                    .append(" (--model FOLDER).</p>");
        }
    }

    /**
     * The model picker's upload: a config.json chosen from disk, posted (multipart) with the page's other values, as a
     * pasted config is; the page then keeps it in its form, so later changes post it again. A separate form, since
     * the planner's own is a GET (its state is its URL).
     */
    private static void upload(StringBuilder b, Map<String, String> v, String config, String error) {
        b.append("<form class=\"inputs upload\" id=\"upload\" method=\"post\" enctype=\"multipart/form-data\"")
                .append(" action=\"/\"><label class=\"wide")
                .append(error == null ? "" : " invalid")
                .append("\">Or upload a model's config.json (Hugging Face format), a GGUF file (only its header is")
                .append(" read: the page sends its first ")
                .append(MAX_UPLOAD_BYTES >> 20)
                .append(" MiB, or choose a file cut to its header) or a model.safetensors.index.json (checked")
                .append(" against the config given)<input type=\"file\" name=\"file\" id=\"config-file\"")
                .append(" data-max-bytes=\"")
                .append(MAX_UPLOAD_BYTES)
                .append("\" accept=\".json,.gguf,application/json\"")
                .append(error == null ? "" : " aria-describedby=\"error-file\"")
                .append(">");
        if (error != null)
            b.append("<span class=\"field-error\" id=\"error-file\">")
                    .append(Html.esc(error))
                    .append("</span>");
        b.append("</label>");
        // the config already given goes along: an index is checked against it
        if (config != null)
            b.append("<input type=\"hidden\" name=\"config\" value=\"")
                    .append(Html.esc(config))
                    .append("\">");
        for (var e : v.entrySet())
            if (!e.getKey().equals("model") && !e.getValue().isEmpty())
                b.append("<input type=\"hidden\" name=\"")
                        .append(Html.esc(e.getKey()))
                        .append("\" value=\"")
                        .append(Html.esc(e.getValue()))
                        .append("\">");
        b.append("<button type=\"submit\">Use this file</button></form>");
    }

    private static String usd(double v) {
        return v >= 100 ? Show.usd(v) : "$" + Show.sig(v);
    }

    private static String pct(double f) {
        return String.format(Locale.ROOT, "%.0f %%", f * 100);
    }
}
