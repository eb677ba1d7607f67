package dev.strata.data.validation;

import dev.strata.data.HardwareCatalog;
import dev.strata.data.HfConfigImporter;
import dev.strata.data.PresetCatalog;
import dev.strata.estimator.memory.InferenceMemory;
import dev.strata.estimator.serving.KvCapacity;
import dev.strata.estimator.serving.SchedulerDefaults;
import dev.strata.model.Hardware;
import dev.strata.model.InvalidFieldException;
import dev.strata.model.Parallelism;
import dev.strata.model.Precision;
import dev.strata.model.TransformerSpec;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.commons.csv.CSVRecord;

/**
 * The published GPU inference measurements shipped with strata (resource folder {@code dev/strata/data/published}):
 * each set a tab-separated file whose header comments say where it comes from. Configs a point names by file lie
 * beside the sets. Besides the fixed-batch sets, the in-flight TensorRT-LLM runs of {@link PublishedServing} that put
 * every request in at once with fixed lengths count as the fixed batch of their steady state ({@link #steadyState}).
 */
public final class PublishedMeasurements {
    private PublishedMeasurements() {}

    /** The sets shipped, by file name. */
    public static final List<String> SETS = List.of("trtllm-0.9-static-batching.tsv");

    private static final List<PublishedPoint> ALL = load();

    /**
     * Every shipped point.
     *
     * @return the points
     */
    public static List<PublishedPoint> all() {
        return ALL;
    }

    private static List<PublishedPoint> load() {
        List<PublishedPoint> out = new ArrayList<>();
        for (String set : SETS) for (CSVRecord row : PublishedFiles.records(set)) out.add(point(row));
        for (PublishedServing.Point s : PublishedServing.points()) if (isSteadyState(s)) out.add(steadyState(s));
        return List.copyOf(out);
    }

    /**
     * Whether a serving point is a saturated in-flight run of fixed lengths that {@link #steadyState} can turn into a
     * fixed batch: TensorRT-LLM's {@code trtllm-bench} throughput (every request queued at once), fixed prompt and
     * output lengths.
     *
     * @param s a published serving point
     * @return whether it has a steady state
     */
    public static boolean isSteadyState(PublishedServing.Point s) {
        return s.profile().equals("trtllm")
                && s.arrival().equals("all")
                && s.metric().equals("output_tokens_per_s")
                && s.prompt().chars().allMatch(Character::isDigit)
                && s.generate().chars().allMatch(Character::isDigit);
    }

    /**
     * A saturated in-flight run as the fixed batch of its steady state: with every request queued and fixed lengths,
     * the engine runs as many requests at once as both its batch limit and its KV cache allow (TensorRT-LLM admits a
     * request only when its whole prompt and output fit), and each of them costs one prompt's prefill and its share of
     * the decode steps, as in a static batch of that size. The batch limit is {@code trtllm-bench}'s own choice
     * ({@link SchedulerDefaults#trtllmBench}); the KV cache is sized as the serving simulator sizes it
     * ({@link KvCapacity}, 16-token blocks, the run's memory fraction, 1 GiB of runtime overhead). The throughput
     * becomes tokens per second per device.
     *
     * @param s a published serving point of {@link #isSteadyState}
     * @return the equivalent fixed-batch point
     */
    public static PublishedPoint steadyState(PublishedServing.Point s) {
        TransformerSpec spec = PresetCatalog.get(s.model()).spec();
        Hardware hw = HardwareCatalog.get(s.hardware());
        long prompt = Long.parseLong(s.prompt()), generate = Long.parseLong(s.generate());
        Precision p = precision(s);
        SchedulerDefaults bench = benchLimits(s);
        Parallelism par = new Parallelism(s.tp(), s.devices() / s.tp(), 1, 1, 0, false);
        long kvTokens = BLOCK
                * KvCapacity.blocks(
                        spec,
                        p,
                        par,
                        hw,
                        InferenceMemory.DEFAULT_RUNTIME_OVERHEAD_BYTES,
                        s.memoryFraction(),
                        bench.maxBatchedTokens(),
                        bench.maxSeqs(),
                        BLOCK);
        long batch = Math.max(1, Math.min(bench.maxSeqs(), kvTokens / (prompt + generate)));
        return new PublishedPoint(
                s.id(),
                s.source(),
                s.engine(),
                s.model(),
                s.hardware(),
                s.devices(),
                s.tp(),
                s.weights(),
                s.kv(),
                batch,
                prompt,
                generate,
                PublishedPoint.THROUGHPUT_PER_GPU,
                s.measured() / s.devices(),
                "steady state of " + s.requests() + " requests queued at once: " + batch + " at a time (trtllm-bench's"
                        + " max batch " + bench.maxSeqs() + ", KV cache " + kvTokens + " tokens); " + s.notes());
    }

    private static final int BLOCK = 16;

    /**
     * The batch and step limits {@code trtllm-bench} chose for a run of {@link #isSteadyState} (its default
     * {@code kv_cache_free_gpu_mem_fraction} of 0.95): {@link SchedulerDefaults#trtllmBench}.
     *
     * @param s a published serving point of {@link #isSteadyState}
     * @return the limits
     */
    public static SchedulerDefaults benchLimits(PublishedServing.Point s) {
        return SchedulerDefaults.trtllmBench(
                PresetCatalog.get(s.model()).spec(),
                precision(s),
                s.tp(),
                1,
                HardwareCatalog.get(s.hardware()),
                Long.parseLong(s.prompt()),
                Long.parseLong(s.generate()),
                0.95);
    }

    private static Precision precision(PublishedServing.Point s) {
        return PublishedComparison.precision(s.weights(), s.kv());
    }

    private static PublishedPoint point(CSVRecord r) {
        return new PublishedPoint(
                r.get("id"),
                r.get("source"),
                r.get("engine"),
                r.get("model_config"),
                r.get("hardware"),
                Integer.parseInt(r.get("devices")),
                Integer.parseInt(r.get("tp")),
                r.get("weights"),
                r.get("kv"),
                Long.parseLong(r.get("batch")),
                Long.parseLong(r.get("prompt")),
                Long.parseLong(r.get("generate")),
                r.get("metric"),
                Double.parseDouble(r.get("measured_value")),
                r.get("notes"));
    }

    /**
     * The model a point names: a preset, or a config file shipped beside the sets.
     *
     * @param p a published point
     * @return the spec
     */
    public static TransformerSpec model(PublishedPoint p) {
        if (!p.model().endsWith(".json")) return PresetCatalog.get(p.model()).spec();
        try (InputStream in = PublishedFiles.open(p.model())) {
            if (in == null) throw new InvalidFieldException("model_config", p.model(), "a config shipped with the set");
            return HfConfigImporter.fromJson(new String(in.readAllBytes(), StandardCharsets.UTF_8), p.model());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
