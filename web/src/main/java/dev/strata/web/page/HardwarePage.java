package dev.strata.web.page;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.strata.data.HardwareCatalog;
import dev.strata.data.HardwareEntry;
import dev.strata.data.Preset;
import dev.strata.data.PresetCatalog;
import dev.strata.model.Hardware;
import dev.strata.web.report.EstimateOptions;
import dev.strata.web.report.HardwareReport;
import dev.strata.web.report.ResolvedModel;
import dev.strata.web.report.ServingOptions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The hardware page: the catalog as {@code GET /api/hardware} answers it (memory, bandwidth, peak FLOP/s by format,
 * links, power, price, and where each figure comes from), and a custom device: a catalog device with its memory,
 * bandwidth, peak or price changed by the estimate's own options ({@code device-memory-gib}, {@code bandwidth-gbs},
 * {@code peak-tflops}, {@code price}), checked by the same parser as {@code /api/estimate} and linked to its answer.
 */
public final class HardwarePage {
    /** The custom device form's fields, named as {@code /api/estimate}'s query parameters. */
    public static final List<String> FIELDS =
            List.of("model", "hardware", "device-memory-gib", "bandwidth-gbs", "peak-tflops", "price");

    /** The fields that change the device; the form shows a device only when one of them is given. */
    static final List<String> OVERRIDES = List.of("device-memory-gib", "bandwidth-gbs", "peak-tflops", "price");

    private static final Map<String, String> DEFAULTS = Map.of("model", "llama-3-8b", "hardware", "h100-sxm");

    /** Number formats in the order the table's columns show them. */
    private static final List<String> FORMAT_ORDER = List.of("fp32", "tf32", "bf16", "fp16", "fp8", "int8", "fp4");

    private static final Pattern URL = Pattern.compile("https?://[^\\s)<>\"']+");

    private HardwarePage() {}

    /** The page; status 400 when a field of the custom device was refused (its message next to it). */
    public static Page render(Function<String, String> query) {
        Map<String, String> values =
                Form.values(FIELDS, n -> query.apply(n) != null ? query.apply(n) : DEFAULTS.get(n));
        Map<String, String> errors = new LinkedHashMap<>();
        Hardware custom = null;
        boolean asked = OVERRIDES.stream()
                .anyMatch(n -> values.get(n) != null && !values.get(n).isBlank());
        if (asked) {
            try {
                custom = custom(values);
            } catch (IllegalArgumentException e) {
                errors.put(TrainingPage.field(e), e.getMessage());
            }
        }
        ObjectNode catalog = HardwareReport.all();
        List<String> formats = formats(catalog.get("hardware"));

        StringBuilder b = new StringBuilder();
        b.append("<p class=\"note\">The devices the estimates and the plans use, as <code>strata hardware</code> and"
                + " <code>/api/hardware</code> list them. Peak FLOP/s are dense (no sparsity); GB = 10⁹ bytes;"
                + " link bandwidths as each source states them (see Sources).</p>");
        b.append("<div class=\"table-scroll\"><table id=\"hardware-table\" class=\"devices\">");
        head(b, formats);
        for (JsonNode d : catalog.get("hardware"))
            row(b, d, formats, d.get("scaleUpLink").asText(), d.get("hostLink").asText());
        b.append("</tbody></table></div>");
        b.append("<p class=\"downloads\"><a href=\"/api/hardware?format=csv\">CSV</a>"
                + "<a href=\"/api/hardware\">JSON</a></p>");

        b.append("<h2>Sources</h2>");
        for (JsonNode d : catalog.get("hardware")) {
            b.append("<details id=\"sources-")
                    .append(Html.esc(d.get("id").asText()))
                    .append("\"><summary>")
                    .append(Html.esc(d.get("name").asText()))
                    .append("</summary><dl class=\"sources\">");
            d.get("sources").fields().forEachRemaining(s -> {
                if (s.getValue().isNull()) return;
                b.append("<dt>")
                        .append(Html.esc(s.getKey()))
                        .append("</dt><dd>")
                        .append(linked(s.getValue().asText()))
                        .append("</dd>");
            });
            b.append("</dl></details>");
        }

        Form form = new Form(values, errors);
        b.append("<h2>Custom device</h2>");
        b.append("<p class=\"note\">A catalog device with your memory, bandwidth, peak or price: the options"
                + " <code>/api/estimate</code> and <code>strata estimate</code> take (the command line also takes a"
                + " whole device as a JSON file, <code>--hardware FILE.json</code>; the server reads no files).</p>");
        b.append("<form class=\"inputs\" id=\"custom\" data-live method=\"get\" action=\"/hardware#custom\">");
        List<String[]> models = new ArrayList<>();
        for (Preset p : PresetCatalog.all()) models.add(new String[] {p.id(), p.name()});
        List<String[]> devices = new ArrayList<>();
        for (HardwareEntry e : HardwareCatalog.all())
            devices.add(new String[] {e.id(), e.hardware().name()});
        b.append(form.select("Based on", "hardware", devices))
                .append(form.input("Memory, GiB", "device-memory-gib", "the device's", "decimal"))
                .append(form.input("Memory bandwidth, GB/s", "bandwidth-gbs", "the device's", "decimal"))
                .append(form.input("Peak TFLOP/s (bf16)", "peak-tflops", "the device's", "decimal"))
                .append(form.input("Price, USD per hour", "price", "the device's", "decimal"))
                .append(form.select("Model for the estimate", "model", models))
                .append("<button type=\"submit\">Check</button></form>");
        b.append(form.otherErrors());
        if (custom != null) {
            b.append("<div class=\"table-scroll\"><table id=\"custom-table\" class=\"devices\">");
            head(b, formats);
            HardwareEntry base = HardwareCatalog.entry(custom.id());
            row(b, asJson(custom), formats, base.scaleUpLink(), base.hostLink());
            b.append("</tbody></table></div>");
            Map<String, String> q = new LinkedHashMap<>();
            for (String f : FIELDS) q.put(f, values.get(f));
            String link = Html.esc(Html.query(q));
            b.append("<p class=\"downloads\" id=\"custom-links\">Estimate ")
                    .append(Html.esc(PresetCatalog.get(values.get("model")).name()))
                    .append(" on it: <a id=\"custom-json\" href=\"/api/estimate?")
                    .append(link)
                    .append("\">JSON</a><a id=\"custom-csv\" href=\"/api/estimate?")
                    .append(link)
                    .append("&amp;format=csv\">CSV</a>")
                    .append("<a id=\"custom-capacity\" href=\"/capacity?")
                    .append(link)
                    .append("\">Plan capacity with it</a></p>");
            StringBuilder cli = new StringBuilder("strata estimate --model " + values.get("model"));
            for (String f : FIELDS.subList(1, FIELDS.size()))
                if (values.get(f) != null && !values.get(f).isBlank())
                    cli.append(" --").append(f).append(' ').append(values.get(f));
            b.append("<p class=\"note\">On the command line: <code>")
                    .append(Html.esc(cli))
                    .append("</code></p>");
        }
        return new Page(errors.isEmpty() ? 200 : 400, Html.page("Hardware", "Hardware", b.toString()));
    }

    /**
     * The custom device: the page's values parsed as {@code /api/estimate} parses them ({@link EstimateOptions},
     * {@link ServingOptions}), so each refused value names its field and the allowed range.
     */
    static Hardware custom(Map<String, String> values) {
        Function<String, String> v = n -> {
            String x = FIELDS.contains(n) ? values.get(n) : null;
            return x == null || x.isBlank() ? null : x;
        };
        String hardware = v.apply("hardware");
        if (hardware == null)
            throw new dev.strata.model.InvalidFieldException("hardware", null, "a catalog id (see the table above)");
        ResolvedModel.catalogId("hardware", hardware);
        String model = v.apply("model");
        if (model == null)
            throw new dev.strata.model.InvalidFieldException("model", null, "a preset id (see /api/presets)");
        ResolvedModel m = ResolvedModel.of(ResolvedModel.catalogId("model", model));
        EstimateOptions options = EstimateOptions.parse(v, "", m);
        return ServingOptions.parse(v, "", options).hardware();
    }

    /** The devices table's head: one column per number format under a common "peak" heading. */
    private static void head(StringBuilder b, List<String> formats) {
        b.append("<thead><tr><th rowspan=\"2\">device</th><th class=\"num\" rowspan=\"2\">memory</th>"
                        + "<th class=\"num\" rowspan=\"2\">bandwidth</th><th class=\"peaks\" colspan=\"")
                .append(formats.size())
                .append("\">peak TFLOP/s, dense</th><th rowspan=\"2\">scale-up link</th>"
                        + "<th rowspan=\"2\">host link</th><th class=\"num\" rowspan=\"2\">power</th>"
                        + "<th class=\"num\" rowspan=\"2\">$/hour</th><th rowspan=\"2\">plan</th></tr><tr>");
        for (String f : formats) b.append("<th class=\"num\">").append(f).append("</th>");
        b.append("</tr></thead><tbody>");
    }

    /** The number formats with a peak on any device, in {@link #FORMAT_ORDER} then any others. */
    private static List<String> formats(JsonNode devices) {
        Set<String> all = new LinkedHashSet<>();
        for (JsonNode d : devices) d.get("peakFlopsPerSecond").fieldNames().forEachRemaining(all::add);
        List<String> out = new ArrayList<>();
        for (String f : FORMAT_ORDER) if (all.remove(f)) out.add(f);
        out.addAll(all);
        return out;
    }

    private static ObjectNode asJson(Hardware h) {
        ObjectNode o = dev.strata.web.render.Render.NODES.objectNode();
        o.put("id", h.id());
        o.put("name", h.name() + " (custom)");
        ObjectNode peaks = o.putObject("peakFlopsPerSecond");
        h.peakFlopsPerSecond().forEach(peaks::put);
        o.put("memoryBytes", h.memoryBytes());
        o.put("memoryBandwidthBytesPerSecond", h.memoryBandwidthBytesPerSecond());
        o.put("scaleUpBandwidthBytesPerSecond", h.scaleUpBandwidthBytesPerSecond());
        o.put("hostLinkBytesPerSecond", h.hostLinkBytesPerSecond());
        o.put("powerWatts", h.powerWatts());
        o.put("pricePerHourUsd", h.pricePerHourUsd());
        return o;
    }

    private static void row(StringBuilder b, JsonNode d, List<String> formats, String scaleUp, String host) {
        String id = d.get("id").asText();
        b.append("<tr id=\"device-")
                .append(Html.esc(id))
                .append("\"><td><b>")
                .append(Html.esc(id))
                .append("</b><br>")
                .append(Html.esc(d.get("name").asText()))
                .append("</td><td class=\"num\">")
                .append(Show.gb(d.get("memoryBytes").doubleValue()))
                .append("</td><td class=\"num\">")
                .append(Show.fixed(d.get("memoryBandwidthBytesPerSecond").doubleValue() / 1e12, 2))
                .append(" TB/s</td>");
        for (String f : formats) {
            JsonNode p = d.at("/peakFlopsPerSecond/" + f);
            b.append("<td class=\"num\">")
                    .append(p.isMissingNode() ? "–" : Show.sig(p.doubleValue() / 1e12))
                    .append("</td>");
        }
        b.append("<td class=\"link\">")
                .append(link(scaleUp, d.get("scaleUpBandwidthBytesPerSecond").doubleValue()))
                .append("</td><td class=\"link\">")
                .append(link(host, d.get("hostLinkBytesPerSecond").doubleValue()))
                .append("</td><td class=\"num\">")
                .append(
                        d.get("powerWatts").doubleValue() > 0
                                ? Show.count(d.get("powerWatts").doubleValue()) + " W"
                                : "–")
                .append("</td><td class=\"num\">")
                .append(
                        d.get("pricePerHourUsd").doubleValue() > 0
                                ? CapacityPage.usdPerHour(
                                        d.get("pricePerHourUsd").doubleValue())
                                : "–")
                .append("</td><td>")
                .append(
                        d.get("pricePerHourUsd").doubleValue() > 0
                                ? "<a href=\"/capacity?hardware="
                                        + Html.esc(
                                                java.net.URLEncoder.encode(id, java.nio.charset.StandardCharsets.UTF_8))
                                        + "\">capacity</a>"
                                : "–")
                .append("</td></tr>");
    }

    private static String link(String name, double bytesPerSecond) {
        if (name == null || name.isBlank() || name.equals("null"))
            return bytesPerSecond > 0 ? Show.sig(bytesPerSecond / 1e9) + " GB/s" : "–";
        return Html.esc(name) + (bytesPerSecond > 0 ? "<br>" + Show.sig(bytesPerSecond / 1e9) + " GB/s" : "");
    }

    /** A source's text, escaped, with each web address in it a link. */
    static String linked(String text) {
        Matcher m = URL.matcher(text);
        StringBuilder out = new StringBuilder();
        int last = 0;
        while (m.find()) {
            out.append(Html.esc(text.substring(last, m.start())));
            String url = m.group().replaceAll("[.,;]+$", "");
            out.append("<a href=\"")
                    .append(Html.esc(url))
                    .append("\" rel=\"noreferrer\">")
                    .append(Html.esc(url))
                    .append("</a>");
            last = m.start() + url.length();
        }
        return out.append(Html.esc(text.substring(last))).toString();
    }
}
