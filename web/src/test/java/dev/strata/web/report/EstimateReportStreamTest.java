package dev.strata.web.report;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.data.HardwareCatalog;
import dev.strata.data.HardwareEntry;
import dev.strata.data.Preset;
import dev.strata.data.PresetCatalog;
import dev.strata.web.render.Render;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The HTTP API writes an estimate's JSON straight from the report ({@link EstimateReport#compactJson}); the command
 * line builds the tree ({@link EstimateReport#of}). Both come from one report method through {@link JsonOut}; these
 * tests hold them to the same bytes, and to the same error, over every preset and seeded random options.
 */
class EstimateReportStreamTest {
    private static final String[] HARDWARE =
            HardwareCatalog.all().stream().map(HardwareEntry::id).toArray(String[]::new);

    /** Seeded random options: workloads, formats, parallelism, LoRA, and with hardware the serving options. */
    static Map<String, String> options(SplittableRandom r) {
        Map<String, String> q = new HashMap<>();
        if (r.nextBoolean()) q.put("batch", Integer.toString(1 << r.nextInt(8)));
        if (r.nextBoolean()) q.put("prompt", Integer.toString(1 << r.nextInt(4, 13)));
        if (r.nextBoolean()) q.put("generate", Integer.toString(r.nextInt(0, 600)));
        if (r.nextInt(4) == 0) q.put("prefill-chunk", Integer.toString(1 << r.nextInt(4, 10)));
        if (r.nextInt(3) == 0) q.put("weights", new String[] {"fp32", "bf16", "fp8", "int8", "int4"}[r.nextInt(5)]);
        if (r.nextInt(4) == 0) q.put("kv", new String[] {"bf16", "fp8", "int8"}[r.nextInt(3)]);
        if (r.nextInt(4) == 0) q.put("lora-rank", Integer.toString(1 << r.nextInt(2, 7)));
        if (r.nextInt(4) == 0) q.put("recompute", r.nextBoolean() ? "full" : "none");
        if (r.nextInt(5) == 0) q.put("device-memory-gib", Integer.toString(r.nextInt(8, 200)));
        if (r.nextInt(5) == 0) q.put("attention-flops", r.nextBoolean() ? "full" : "causal");
        if (r.nextInt(3) > 0) {
            q.put("hardware", HARDWARE[r.nextInt(HARDWARE.length)]);
            if (r.nextInt(3) == 0) q.put("devices", Integer.toString(1 << r.nextInt(4)));
            if (r.nextInt(3) == 0) q.put("target-ms-per-token", Integer.toString(r.nextInt(5, 200)));
            if (r.nextInt(4) == 0) q.put("measured-ms-per-token", Integer.toString(r.nextInt(5, 200)));
            if (r.nextInt(5) == 0) q.put("bandwidth-efficiency", Double.toString(r.nextDouble(0.3, 1)));
            if (r.nextInt(6) == 0) q.put("offload", r.nextBoolean() ? "kv-cache" : "weights");
        }
        return q;
    }

    @Test
    void theStreamedJsonIsTheTreesCompactJsonForEveryPresetAndRandomOptions() {
        SplittableRandom r = new SplittableRandom(20261122);
        List<Preset> presets = PresetCatalog.all();
        int answered = 0, refused = 0, sections = 0;
        for (int i = 0; i < 1500; i++) {
            Preset preset = presets.get(i % presets.size());
            Map<String, String> q = options(r);
            ResolvedModel model = ResolvedModel.of(preset.id());
            String tree = null, stream = null;
            IllegalArgumentException treeError = null, streamError = null;
            try {
                EstimateOptions options = EstimateOptions.parse(q::get, "");
                tree = new String(
                        Render.compactJson(
                                EstimateReport.of(model, options, ServingOptions.parse(q::get, "", options))),
                        StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                treeError = e;
            }
            try {
                EstimateOptions options = EstimateOptions.parse(q::get, "");
                stream = new String(
                        EstimateReport.compactJson(model, options, ServingOptions.parse(q::get, "", options)),
                        StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                streamError = e;
            }
            if (treeError != null) {
                refused++;
                // a refused request is refused the same way: same exception, same message (field, value, what is
                // allowed)
                assertThat(streamError)
                        .as("%s %s", preset.id(), q)
                        .isInstanceOf(treeError.getClass())
                        .hasMessage(treeError.getMessage());
            } else {
                answered++;
                assertThat(streamError).as("%s %s", preset.id(), q).isNull();
                assertThat(stream).as("%s %s", preset.id(), q).isEqualTo(tree);
                if (tree.contains("\"cheapest\":[") && tree.contains("\"calibration\":")) sections++;
            }
        }
        // the seed reaches both outcomes, and the serving sections with an array and the calibration, often enough to
        // mean something
        assertThat(answered).isGreaterThan(600);
        assertThat(refused).isGreaterThan(20);
        assertThat(sections).isGreaterThan(20);
    }

    @Test
    void bothWritersHoldTheSameNestingForArraysOfObjects() throws java.io.IOException {
        // the one array of objects in an estimate ("cheapest") round-trips: the streamed bytes read back to the tree
        Map<String, String> q = new HashMap<>(Map.of("hardware", "h100-sxm", "target-ms-per-token", "50"));
        ResolvedModel model = ResolvedModel.of("llama-3-8b");
        EstimateOptions options = EstimateOptions.parse(q::get, "");
        ServingOptions serving = ServingOptions.parse(q::get, "", options);
        var tree = EstimateReport.of(model, options, serving);
        assertThat(tree.get("cheapest").size()).isGreaterThan(3); // several catalog devices meet 50 ms per token
        // compared as text: read back, a number node's Java type follows its size (int or long), not the writer's
        assertThat(Render.MAPPER
                        .readTree(EstimateReport.compactJson(model, options, serving))
                        .toString())
                .isEqualTo(tree.toString());
    }
}
