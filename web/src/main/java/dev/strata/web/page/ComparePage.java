package dev.strata.web.page;

import com.fasterxml.jackson.databind.JsonNode;
import dev.strata.data.HardwareCatalog;
import dev.strata.data.HardwareEntry;
import dev.strata.data.Preset;
import dev.strata.data.PresetCatalog;
import dev.strata.model.InvalidFieldException;
import dev.strata.web.render.Csv;
import dev.strata.web.report.EstimateOptions;
import dev.strata.web.report.ResolvedModel;
import dev.strata.web.report.ServingOptions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.function.ToDoubleFunction;
import org.apache.commons.csv.CSVPrinter;

/**
 * The compare page at {@code /compare}: the planner's query where any value may be a comma list; the setups are the
 * combinations of the lists (at most {@link #MAX_SETUPS}), each estimated by the planner's own code path ({@link
 * PlannerPage#estimate}, the JSON of {@code GET /api/estimate}), shown side by side with the best value of each row
 * marked; {@code format=csv} gives one row per setup.
 */
public final class ComparePage {
    private ComparePage() {}

    /** Most setups one page compares: more columns no longer read side by side. */
    public static final int MAX_SETUPS = 6;

    /**
     * Every option of an estimate, by the name its parsers ask for (found by parsing with every option absent), and
     * the model: each may be a list.
     */
    public static final Set<String> OPTIONS = options();

    /** Options whose value is a comma list of its own: taken whole, never varied. */
    private static final Set<String> NOT_LISTS = Set.of("lora-targets");

    /** Options with a numeric keyboard on phones: integers, and decimals. */
    private static final Set<String> INTEGERS = Set.of("devices", "batch", "prompt", "generate", "tp", "pp", "ep");

    /** The form's fields and labels, in order; the planner's fields, the layout, the engine and the price. */
    private static final Map<String, String> FORM = form();

    /** The first visit's comparison (no option given): the same model on three devices. */
    private static final Map<String, String> EXAMPLE =
            Map.of("model", "llama-3.1-70b", "hardware", "h100-sxm,h200-sxm,mi300x", "devices", "2");

    private static Set<String> options() {
        Set<String> names = new TreeSet<>();
        Function<String, String> none = name -> {
            names.add(name);
            return null;
        };
        ServingOptions.parse(none, "", EstimateOptions.parse(none, ""));
        names.add("model");
        return Collections.unmodifiableSet(names);
    }

    private static Map<String, String> form() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("model", "Models");
        m.put("hardware", "Hardware");
        m.put("devices", "Devices");
        m.put("weights", "Weights");
        m.put("kv", "KV cache");
        m.put("batch", "Batch");
        m.put("prompt", "Prompt tokens");
        m.put("generate", "Output tokens");
        m.put("tp", "Tensor parallel (tp)");
        m.put("pp", "Pipeline parallel (pp)");
        m.put("ep", "Expert parallel (ep)");
        m.put("engine", "Engine");
        m.put("price", "Price per device-hour (USD)");
        return m;
    }

    /**
     * The option texts of a request ({@code read} gives a name's text, or null): every estimate option given, trimmed;
     * the planner's defaults for its fields that are absent, and a three-device comparison when nothing is given.
     */
    public static Map<String, String> values(Function<String, String> read) {
        Map<String, String> given = new LinkedHashMap<>();
        for (String name : OPTIONS) {
            String t = read.apply(name);
            if (t != null && !t.isBlank()) given.put(name, t.trim());
        }
        Map<String, String> v = new LinkedHashMap<>();
        PlannerPage.FIELDS.forEach((name, dflt) -> {
            // a planner field whose default is blank (tp, pp, price ...) means the estimate's own default: left out
            String d = given.isEmpty() ? EXAMPLE.getOrDefault(name, dflt) : dflt;
            if (OPTIONS.contains(name) && !d.isEmpty()) v.put(name, d);
        });
        v.putAll(given);
        return v;
    }

    /**
     * One setup: its option values (one item of each list) and the names of the options that differ between setups.
     *
     * @param index  1 for the first setup
     * @param values the option texts, one item each
     * @param varied the options given as lists of more than one item, in the order of {@link #OPTIONS}
     */
    record Setup(int index, Map<String, String> values, List<String> varied) {
        /** What sets this setup apart: "H200 SXM 141GB, fp8"; the device when nothing is varied. */
        String label() {
            List<String> parts = new ArrayList<>();
            for (String name : varied.isEmpty() ? List.of("hardware") : varied) parts.add(describe(name, values));
            return String.join(", ", parts);
        }
    }

    /**
     * The setups of {@code v}: the cartesian product of its lists (the first list varying slowest), duplicates in a
     * list dropped. An empty item, a model or hardware that could name a file, or more than {@link #MAX_SETUPS}
     * setups is refused (400) naming the field. With a pasted config the model is not used, so it is not a list.
     */
    static List<Setup> setups(Map<String, String> v, boolean pasted) {
        Map<String, List<String>> lists = new LinkedHashMap<>();
        for (var e : v.entrySet()) {
            String name = e.getKey(), text = e.getValue();
            List<String> items = new ArrayList<>();
            if (NOT_LISTS.contains(name) || (pasted && name.equals("model"))) items.add(text);
            else {
                Set<String> seen = new LinkedHashSet<>();
                for (String item : text.split(",", -1)) {
                    String t = item.trim();
                    if (t.isEmpty())
                        throw new InvalidFieldException(
                                name, text, "a value or a comma-separated list without empty items");
                    seen.add(t);
                }
                items.addAll(seen);
            }
            if (name.equals("model") || name.equals("hardware"))
                for (String item : items) ResolvedModel.catalogId(name, item);
            lists.put(name, items);
        }
        List<String> varied = new ArrayList<>();
        long count = 1;
        for (var e : lists.entrySet())
            if (e.getValue().size() > 1) {
                varied.add(e.getKey());
                count = Math.min(count * e.getValue().size(), 1L << 40);
            }
        if (count > MAX_SETUPS) {
            String largest = varied.get(0);
            List<String> sizes = new ArrayList<>();
            for (String name : varied) {
                sizes.add(name + " (" + lists.get(name).size() + ")");
                if (lists.get(name).size() > lists.get(largest).size()) largest = name;
            }
            throw InvalidFieldException.withMessage(
                    largest,
                    "the lists " + String.join(" x ", sizes) + " make " + count + " setups; at most " + MAX_SETUPS
                            + " are compared at once: shorten a list");
        }
        List<Setup> out = new ArrayList<>();
        product(lists, new ArrayList<>(lists.keySet()), 0, new LinkedHashMap<>(), varied, out);
        return out;
    }

    private static void product(
            Map<String, List<String>> lists,
            List<String> names,
            int i,
            Map<String, String> chosen,
            List<String> varied,
            List<Setup> out) {
        if (i == names.size()) {
            out.add(new Setup(out.size() + 1, new LinkedHashMap<>(chosen), List.copyOf(varied)));
            return;
        }
        for (String item : lists.get(names.get(i))) {
            chosen.put(names.get(i), item);
            product(lists, names, i + 1, chosen, varied, out);
        }
    }

    /** A setup's estimate, or why it was refused. */
    private record Result(Setup setup, JsonNode report) {}

    /**
     * The estimate of every setup, each by the planner's code path; the first refused setup's error, with the setup
     * named when there are several, is thrown.
     */
    private static List<Result> estimates(List<Setup> setups, String config) {
        List<Result> results = new ArrayList<>();
        for (Setup s : setups) {
            try {
                results.add(new Result(s, PlannerPage.estimate(s.values(), config)));
            } catch (InvalidFieldException e) {
                if (setups.size() == 1) throw e;
                throw InvalidFieldException.withMessage(
                        e.field(),
                        e.getMessage() + " (in setup " + s.index() + " of " + setups.size() + ": " + safeLabel(s)
                                + ")");
            }
        }
        return results;
    }

    private static String safeLabel(Setup s) {
        try {
            return s.label();
        } catch (RuntimeException e) {
            return "setup " + s.index();
        }
    }

    // ---- the quantities ----

    /** Which value of a row is best: the lowest, the highest, or none (a quantity that is not better either way). */
    private enum Better {
        LOWER,
        HIGHER,
        NONE
    }

    /**
     * A row of the table and a column of the CSV.
     *
     * @param key    the {@code data-quantity} of its cells
     * @param label  the row's header
     * @param csv    the CSV column, with its unit
     * @param better which value is marked best
     * @param value  the raw value from the estimate (NaN: none)
     * @param show   the value for people
     */
    private record Quantity(
            String key,
            String label,
            String csv,
            Better better,
            ToDoubleFunction<JsonNode> value,
            Function<JsonNode, String> show) {}

    private static double num(JsonNode r, String pointer) {
        JsonNode n = r.at(pointer);
        return n.isNumber() ? n.asDouble() : Double.NaN;
    }

    /** Time to first token: one request's mean when the serving simulation ran, else the whole batch's prefill. */
    private static boolean perRequestTtft(JsonNode r) {
        return r.at("/latency/perRequest/timeToFirstTokenMeanSeconds").isNumber();
    }

    private static double ttft(JsonNode r) {
        return perRequestTtft(r)
                ? num(r, "/latency/perRequest/timeToFirstTokenMeanSeconds")
                : num(r, "/latency/prefillSeconds/calibrated");
    }

    /**
     * Cost per million output tokens with the request's prefill included, as the planner's cost card: the cost of a
     * request over its output tokens (none without output tokens).
     */
    private static double costPerMillion(JsonNode r) {
        long generated = r.at("/workload/generatedTokens").asLong();
        return generated > 0 ? num(r, "/cost/costPerRequestUsd") / generated * 1e6 : Double.NaN;
    }

    private static final List<Quantity> QUANTITIES = List.of(
            new Quantity(
                    "memory",
                    "Memory per device, of capacity",
                    "memory_per_device_bytes",
                    Better.NONE,
                    r -> num(r, "/memory/perDeviceBytes"),
                    r -> Show.gb(num(r, "/memory/perDeviceBytes")) + " of "
                            + Show.gb(num(r, "/memory/deviceMemoryBytes"))),
            new Quantity(
                    "headroom",
                    "Headroom",
                    "headroom_fraction",
                    Better.HIGHER,
                    r -> num(r, "/memory/headroomFraction"),
                    r -> num(r, "/memory/headroomBytes") >= 0
                            ? String.format(Locale.ROOT, "%.0f %%", 100 * num(r, "/memory/headroomFraction")) + " ("
                                    + Show.gb(num(r, "/memory/headroomBytes")) + ")"
                            : "short by " + Show.gb(-num(r, "/memory/headroomBytes"))),
            new Quantity(
                    "ttft",
                    "Time to first token, per request",
                    "ttft_seconds",
                    Better.LOWER,
                    ComparePage::ttft,
                    r -> Show.seconds(ttft(r)) + (perRequestTtft(r) ? "" : " (whole batch)")),
            new Quantity(
                    "tpot",
                    "Time per output token",
                    "tpot_seconds",
                    Better.LOWER,
                    r -> num(r, "/latency/decodeSecondsPerToken/calibrated"),
                    r -> Show.seconds(num(r, "/latency/decodeSecondsPerToken/calibrated"))),
            new Quantity(
                    "throughput",
                    "Throughput, output tokens of the batch",
                    "throughput_tokens_per_second",
                    Better.HIGHER,
                    r -> num(r, "/throughput/tokensPerSecond/calibrated"),
                    r -> Show.count(num(r, "/throughput/tokensPerSecond/calibrated")) + " tok/s"),
            new Quantity(
                    "cost",
                    "Cost per million output tokens, prefill included",
                    "cost_per_million_output_tokens_usd",
                    Better.LOWER,
                    ComparePage::costPerMillion,
                    r -> usd(costPerMillion(r))),
            new Quantity(
                    "cost-request",
                    "Cost per request",
                    "cost_per_request_usd",
                    Better.LOWER,
                    r -> num(r, "/cost/costPerRequestUsd"),
                    r -> usd(num(r, "/cost/costPerRequestUsd"))),
            new Quantity(
                    "price",
                    "Price per device-hour",
                    "price_per_device_hour_usd",
                    Better.NONE,
                    r -> num(r, "/cost/pricePerDeviceHourUsd"),
                    r -> Double.isFinite(num(r, "/cost/pricePerDeviceHourUsd"))
                            ? String.format(Locale.ROOT, "$%.2f", num(r, "/cost/pricePerDeviceHourUsd"))
                            : "–"),
            new Quantity(
                    "max-batch",
                    "Max batch",
                    "max_batch",
                    Better.HIGHER,
                    r -> num(r, "/capacity/maxBatch"),
                    r -> count(num(r, "/capacity/maxBatch"))),
            new Quantity(
                    "max-context",
                    "Max context, tokens",
                    "max_context_tokens",
                    Better.HIGHER,
                    r -> num(r, "/capacity/maxContextTokens"),
                    r -> count(num(r, "/capacity/maxContextTokens"))),
            new Quantity(
                    "min-devices",
                    "Min devices",
                    "min_devices",
                    Better.LOWER,
                    r -> num(r, "/capacity/minDevices"),
                    r -> count(num(r, "/capacity/minDevices"))),
            new Quantity(
                    "layout", "Parallel layout, tp × pp × ep", null, Better.NONE, r -> Double.NaN, ComparePage::layout),
            new Quantity(
                    "error-band",
                    "Error band, decode / first token",
                    null,
                    Better.NONE,
                    r -> Double.NaN,
                    r -> r.at("/latency/errorBand").isObject()
                            ? "±" + Math.round(100 * num(r, "/latency/errorBand/decodeSecondsPerToken")) + " % / ±"
                                    + Math.round(100 * num(r, "/latency/errorBand/prefillSeconds")) + " %"
                            : "not validated"));

    private static String layout(JsonNode r) {
        String s = r.at("/workload/tensorParallel").asInt() + " × "
                + r.at("/workload/pipelineParallel").asInt() + " × "
                + r.at("/workload/expertParallel").asInt();
        int dp = r.at("/workload/dataParallel").asInt(1);
        return dp > 1 ? s + ", dp " + dp : s;
    }

    private static String count(double v) {
        return Double.isFinite(v) ? Show.count(v) : "–";
    }

    private static String usd(double v) {
        if (!Double.isFinite(v)) return "–";
        return v >= 100 ? Show.usd(v) : "$" + Show.sig(v);
    }

    private static boolean fits(JsonNode r) {
        return r.at("/memory/fits").asBoolean(false);
    }

    /** Why a setup does not fit, in the planner's words. */
    private static String misfit(JsonNode r) {
        return "needs " + Show.gb(num(r, "/memory/perDeviceBytes")) + " per device, the device has "
                + Show.gb(num(r, "/memory/deviceMemoryBytes"));
    }

    // ---- the page ----

    /**
     * The page; status 400 when a field or a setup is refused, else 200. {@code config}: pasted config.json text
     * (posted, or given as a query parameter), which replaces the Models list; null or blank for the presets.
     */
    public static Page render(Map<String, String> v, String config) {
        if (config != null && config.isBlank()) config = null;
        boolean pasted = config != null;
        Map<String, String> errors = new LinkedHashMap<>();
        List<Result> results = null;
        try {
            results = estimates(setups(v, pasted), config);
        } catch (InvalidFieldException e) {
            errors.put(
                    FORM.containsKey(e.field()) || v.containsKey(e.field()) ? e.field() : pastedField(e, pasted),
                    e.getMessage());
        }
        Map<String, String> shown = new LinkedHashMap<>(v);
        if (pasted) shown.put("config", config);
        Form form = new Form(shown, errors);
        StringBuilder b = new StringBuilder();
        b.append("<p class=\"note\">Any field may be a comma-separated list; the setups are every combination of the"
                        + " lists, at most ")
                .append(MAX_SETUPS)
                .append(", each estimated as the <a href=\"/\">planner</a> does. Other options of")
                .append(" <code>/api/estimate</code> (zero, offload, overhead-gib, ...) may be added to the URL.</p>");
        b.append("<form class=\"inputs\" id=\"compare-form\" data-live method=\"")
                .append(pasted ? "post" : "get")
                .append("\" action=\"/compare\">");
        for (var f : FORM.entrySet()) {
            String name = f.getKey();
            String label = name.equals("model") && pasted ? "Models (not used: a config is pasted)" : f.getValue();
            String mode = INTEGERS.contains(name) ? "numeric" : name.equals("price") ? "decimal" : null;
            b.append(form.input(label, name, hint(name), mode));
        }
        // the other options of the query travel with the form, so that a change keeps them
        for (var e : v.entrySet())
            if (!FORM.containsKey(e.getKey()))
                b.append("<input type=\"hidden\" name=\"")
                        .append(Html.esc(e.getKey()))
                        .append("\" value=\"")
                        .append(Html.esc(e.getValue()))
                        .append("\">");
        b.append(form.textarea(
                "Or paste a config.json (replaces the Models list; posted, not kept in the URL)",
                "config",
                "{\"model_type\": \"llama\", ...}",
                3));
        b.append("<button type=\"submit\">Compare</button>");
        if (pasted) b.append("<button type=\"submit\" name=\"format\" value=\"csv\" id=\"compare-csv\">CSV</button>");
        b.append("</form>");
        b.append("<script src=\"/static/compare.js\" defer></script>");
        b.append(ids());
        b.append(form.otherErrors());
        if (results != null) table(b, results, v, pasted);
        return new Page(errors.isEmpty() ? 200 : 400, Html.page("Compare setups", "Compare", b.toString()));
    }

    /** An error about a field of a pasted config ({@code num_hidden_layers}) is shown next to the config. */
    private static String pastedField(InvalidFieldException e, boolean pasted) {
        return pasted && !OPTIONS.contains(e.field()) ? "config" : e.field();
    }

    private static String hint(String name) {
        return switch (name) {
            case "model" -> "llama-3.1-70b,llama-3.1-8b";
            case "hardware" -> "h100-sxm,h200-sxm,mi300x";
            case "weights" -> "bf16,fp8,int4";
            case "tp", "pp", "ep" -> "auto";
            case "engine" -> "default";
            case "price" -> "catalog";
            default -> null;
        };
    }

    /** The catalog ids the Models and Hardware fields take, folded away. */
    private static String ids() {
        StringBuilder b = new StringBuilder("<details class=\"compare-ids\"><summary>Catalog ids</summary><p>Models: ");
        List<String> models = new ArrayList<>();
        for (Preset p : PresetCatalog.all()) models.add("<code>" + Html.esc(p.id()) + "</code>");
        b.append(String.join(", ", models)).append("</p><p>Hardware: ");
        List<String> hardware = new ArrayList<>();
        for (HardwareEntry e : HardwareCatalog.all()) hardware.add("<code>" + Html.esc(e.id()) + "</code>");
        return b.append(String.join(", ", hardware))
                .append("</p><p>Weights: fp32, bf16, fp16, fp8, int8, int4, nf4-dq. KV cache: fp32, bf16, fp16, fp8,")
                .append(" int8, int4-g64.</p></details>")
                .toString();
    }

    private static void table(StringBuilder b, List<Result> results, Map<String, String> v, boolean pasted) {
        Setup first = results.get(0).setup();
        // what every setup shares, so that the headers only name what differs
        List<String> same = new ArrayList<>();
        same.add(Html.esc(results.get(0).report().at("/model/name").asText()));
        for (String name : List.of("hardware", "devices", "weights", "kv", "batch", "prompt", "generate"))
            if (!first.varied().contains(name)) same.add(Html.esc(describe(name, first.values())));
        for (String name : v.keySet())
            if (!FORM.containsKey(name)
                    && !NOT_LISTS.contains(name)
                    && !first.varied().contains(name)) same.add(Html.esc(describe(name, first.values())));
        b.append("<p class=\"showing\" id=\"showing\">")
                .append(results.size())
                .append(results.size() == 1 ? " setup" : " setups")
                .append(first.varied().isEmpty() ? "" : " (" + Html.esc(String.join(" × ", first.varied())) + ")")
                .append("; the same for all: ")
                .append(String.join(", ", same))
                .append(pasted ? " (from the pasted config.json)" : "")
                .append(".</p>");
        b.append("<div class=\"table-scroll compare-scroll\"><table id=\"compare\" class=\"compare\"><thead><tr>")
                .append("<th scope=\"col\">quantity</th>");
        for (Result res : results) {
            boolean fits = fits(res.report());
            b.append("<th scope=\"col\" class=\"setup")
                    .append(fits ? "" : " not-fitting")
                    .append("\" data-setup=\"")
                    .append(res.setup().index())
                    .append("\">")
                    .append(Html.esc(res.setup().label()));
            if (!fits) b.append(" <span class=\"tag\">does not fit</span>");
            if (!pasted)
                b.append(" <a class=\"setup-json\" href=\"/api/estimate?")
                        .append(Html.esc(Html.query(res.setup().values())))
                        .append("\">JSON</a>");
            b.append("</th>");
        }
        b.append("</tr></thead><tbody>");
        // the verdict, with the reason where a setup does not fit
        List<String> verdicts = new ArrayList<>();
        for (Result res : results) verdicts.add(fits(res.report()) ? "yes" : "no");
        b.append("<tr data-quantity=\"fits\"")
                .append(new LinkedHashSet<>(verdicts).size() > 1 ? " class=\"differs\"" : "")
                .append("><th scope=\"row\">Fits</th>");
        for (Result res : results) {
            boolean fits = fits(res.report());
            b.append("<td class=\"")
                    .append(fits ? "num verdict-ok" : "num verdict-no not-fitting")
                    .append("\" data-quantity=\"fits\" data-setup=\"")
                    .append(res.setup().index())
                    .append("\" data-value=\"")
                    .append(fits)
                    .append("\"><span class=\"value\">")
                    .append(fits ? "yes" : "no")
                    .append("</span>");
            if (!fits)
                b.append("<span class=\"why\">")
                        .append(Html.esc(misfit(res.report())))
                        .append("</span>");
            b.append("</td>");
        }
        b.append("</tr>");
        for (Quantity q : QUANTITIES) row(b, q, results);
        b.append("</tbody></table></div>");
        b.append("<p class=\"note\">Marked <span class=\"mark\">best</span>: the lowest time, cost and devices, the")
                .append(" highest throughput, headroom and capacity among the setups that fit; highlighted rows differ")
                .append(" between setups. Times and throughput are calibrated (datasheet × the device's efficiency);")
                .append(" the error band is the p80 error of cross-validated published runs, where the device has")
                .append(" them. Time to first token is one request's mean when the batch is served together (the")
                .append(" whole batch's prefill when it is not simulated).</p>");
        b.append("<p class=\"downloads\">");
        if (!pasted) {
            Map<String, String> csv = new LinkedHashMap<>(v);
            csv.put("format", "csv");
            b.append("<a id=\"compare-csv\" href=\"/compare?")
                    .append(Html.esc(Html.query(csv)))
                    .append("\">CSV</a>");
        }
        b.append("</p>");
    }

    private static void row(StringBuilder b, Quantity q, List<Result> results) {
        List<String> texts = new ArrayList<>();
        double[] values = new double[results.size()];
        for (int i = 0; i < results.size(); i++) {
            JsonNode r = results.get(i).report();
            texts.add(q.show().apply(r));
            values[i] = q.value().applyAsDouble(r);
        }
        boolean differs = new LinkedHashSet<>(texts).size() > 1;
        // the best among the setups that fit, marked only where the row differs; a time to first token of the whole
        // batch is not comparable with one request's
        double best = Double.NaN;
        if (differs && q.better() != Better.NONE)
            for (int i = 0; i < results.size(); i++) {
                if (!eligible(q, results.get(i).report(), values[i])) continue;
                if (Double.isNaN(best) || (q.better() == Better.LOWER ? values[i] < best : values[i] > best))
                    best = values[i];
            }
        b.append("<tr data-quantity=\"")
                .append(q.key())
                .append('"')
                .append(differs ? " class=\"differs\"" : "")
                .append("><th scope=\"row\">")
                .append(Glossary.term(q.key(), q.label()))
                .append("</th>");
        for (int i = 0; i < results.size(); i++) {
            JsonNode r = results.get(i).report();
            boolean isBest = !Double.isNaN(best)
                    && eligible(q, r, values[i])
                    && Math.abs(values[i] - best) <= 1e-12 * Math.abs(best);
            String cls = "num" + (fits(r) ? "" : " not-fitting") + (isBest ? " best" : "");
            b.append("<td class=\"")
                    .append(cls)
                    .append("\" data-quantity=\"")
                    .append(q.key())
                    .append("\" data-setup=\"")
                    .append(results.get(i).setup().index())
                    .append('"');
            if (Double.isFinite(values[i]))
                b.append(" data-value=\"").append(values[i]).append('"');
            b.append("><span class=\"value\">").append(Html.esc(texts.get(i))).append("</span>");
            if (isBest) b.append(" <span class=\"mark\">best</span>");
            b.append("</td>");
        }
        b.append("</tr>");
    }

    private static boolean eligible(Quantity q, JsonNode r, double value) {
        return fits(r) && Double.isFinite(value) && (!q.key().equals("ttft") || perRequestTtft(r));
    }

    /** An option's value as a header or the summary names it: "H200 SXM 141GB", "fp8", "2 devices", "tp 2". */
    static String describe(String name, Map<String, String> values) {
        String v = values.get(name);
        if (v == null) return name;
        return switch (name) {
            case "model" -> PresetCatalog.contains(v) ? PresetCatalog.get(v).name() : v;
            case "hardware" -> hardwareName(v);
            case "devices" -> v + (v.equals("1") ? " device" : " devices");
            case "weights" -> v;
            case "kv" -> "KV " + v;
            case "batch" -> "batch " + v;
            case "prompt" -> v + " prompt tokens";
            case "generate" -> v + " output tokens";
            case "price" -> "$" + v + "/h";
            default -> name + " " + v;
        };
    }

    /** A catalog device's name without its maker ("H200 SXM 141GB"); the id when it is not one. */
    private static String hardwareName(String id) {
        for (HardwareEntry e : HardwareCatalog.all())
            if (e.id().equals(id)) return e.hardware().name().replaceFirst("^(NVIDIA|AMD|Intel|Google Cloud) ", "");
        return id;
    }

    // ---- CSV ----

    /**
     * The comparison as CSV (RFC 4180, {@link Csv#FORMAT}): one row per setup, its inputs as estimated, then one
     * column per quantity with its unit in the header; numbers plain, an empty cell where a setup has none.
     */
    public static String csv(Map<String, String> v, String config) {
        if (config != null && config.isBlank()) config = null;
        List<Result> results = estimates(setups(v, config != null), config);
        List<String> header = new ArrayList<>(List.of(
                "setup",
                "label",
                "model",
                "hardware",
                "devices",
                "weights",
                "kv_cache",
                "batch",
                "prompt_tokens",
                "generated_tokens",
                "engine",
                "fits",
                "device_memory_bytes"));
        for (Quantity q : QUANTITIES) if (q.csv() != null) header.add(q.csv());
        header.addAll(List.of(
                "ttft_basis",
                "tensor_parallel",
                "pipeline_parallel",
                "expert_parallel",
                "data_parallel",
                "error_band_decode_fraction",
                "error_band_ttft_fraction"));
        StringBuilder out = new StringBuilder();
        try (CSVPrinter p = Csv.printer(out, header.toArray(String[]::new))) {
            for (Result res : results) {
                JsonNode r = res.report();
                List<Object> row = new ArrayList<>();
                row.add(res.setup().index());
                row.add(Csv.text(res.setup().label()));
                row.add(Csv.text(
                        r.at("/model/id").isTextual()
                                ? r.at("/model/id").asText()
                                : r.at("/model/name").asText()));
                row.add(Csv.text(r.at("/latency/hardware").asText()));
                row.add(r.at("/workload/devices").asLong());
                row.add(Csv.text(r.at("/precision/weights").asText()));
                row.add(Csv.text(r.at("/precision/kvCache").asText()));
                row.add(r.at("/workload/batch").asLong());
                row.add(r.at("/workload/promptTokens").asLong());
                row.add(r.at("/workload/generatedTokens").asLong());
                row.add(Csv.text(r.at("/latency/engine/id").asText("")));
                row.add(fits(r));
                row.add(plain(num(r, "/memory/deviceMemoryBytes")));
                for (Quantity q : QUANTITIES)
                    if (q.csv() != null) row.add(plain(q.value().applyAsDouble(r)));
                row.add(perRequestTtft(r) ? "per request mean" : "whole batch prefill");
                row.add(r.at("/workload/tensorParallel").asLong());
                row.add(r.at("/workload/pipelineParallel").asLong());
                row.add(r.at("/workload/expertParallel").asLong());
                row.add(r.at("/workload/dataParallel").asLong());
                row.add(plain(num(r, "/latency/errorBand/decodeSecondsPerToken")));
                row.add(plain(num(r, "/latency/errorBand/prefillSeconds")));
                p.printRecord(row);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }

    /** A number as a CSV cell: whole numbers without a point, others as Java prints a double; empty when none. */
    private static String plain(double v) {
        if (!Double.isFinite(v)) return "";
        if (v == Math.rint(v) && Math.abs(v) < 1e15) return Long.toString((long) v);
        return Double.toString(v);
    }
}
