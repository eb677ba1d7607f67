package dev.strata.data.validation;

import dev.strata.data.HardwareCatalog;
import dev.strata.data.HardwareEntry;
import dev.strata.data.ReferenceRun;
import dev.strata.estimator.flops.Flops;
import dev.strata.estimator.flops.FlopsConvention;
import dev.strata.estimator.latency.HostCalibration;
import dev.strata.estimator.latency.Latency;
import dev.strata.estimator.latency.Offload;
import dev.strata.estimator.latency.StepTime;
import dev.strata.estimator.memory.Activations;
import dev.strata.estimator.memory.InferenceMemory;
import dev.strata.estimator.memory.InferenceMemoryTerms;
import dev.strata.estimator.memory.KvCache;
import dev.strata.estimator.memory.Weights;
import dev.strata.estimator.params.Parameters;
import dev.strata.model.Microbenchmarks;
import dev.strata.model.NumericFormat;
import dev.strata.model.Optimizer;
import dev.strata.model.Parallelism;
import dev.strata.model.Precision;
import dev.strata.model.TransformerSpec;
import dev.strata.model.Workload;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.commons.math3.stat.descriptive.DescriptiveStatistics;

/**
 * Estimates against a run of the reference stack ({@link ReferenceRun}): for every measured point and quantity, what
 * strata estimates for the same model, format, batch and context, on the host calibrated from the same run's
 * microbenchmarks ({@link HostCalibration}, fitted to those only). One code path for {@code strata validate} and
 * {@code GET /api/validate}.
 *
 * <p>How each quantity is estimated:
 * <ul>
 *   <li>{@code params}: {@link Parameters#count}; {@code weights_bytes}: {@link Weights#bytes} (weights, activations
 *   and KV cache all in the point's dtype); {@code kv_cache_bytes}: {@link KvCache#bytes} at the cache's capacity
 *   (context + generated) for the batch.</li>
 *   <li>{@code prefill_flops}: {@link Flops#prefill} with {@link FlopsConvention#FULL}: matrix products only, attention
 *   counted full, logits of every prompt position: what the profiler counts.</li>
 *   <li>{@code peak_memory_bytes} (the whole process through decoding and, where measured, prefill) and
 *   {@code peak_memory_bytes_decode} (through decoding only): the terms of {@link InferenceMemory}, weights + KV cache
 *   at the cache's capacity + peak activations + runtime, with the runtime term set to the measured resident memory of
 *   the runtime alone (a process that has imported torch and run a tiny model: {@code torch_runtime_rss} of the
 *   calibration, or {@code torch_import_rss} in runs before it), since the measured peak is the whole process. Activations: {@link Activations#inferencePeakBytes} of a decode step; at
 *   points with a prefill, of the prefill too, with the logits of every prompt position when the harness computed
 *   them ({@code prefill_logits = all}).</li>
 *   <li>{@code decode_seconds_per_token}: {@link Latency#decodeStep} of the batch at the cache's capacity (the harness
 *   attends over the whole fixed-size cache); {@code prefill_seconds}: {@link Latency#prefill} of the batch of
 *   prompts, with the logits of every position where the harness computed them. Each with its floor (100 % of the
 *   best measured bandwidth and peaks, no fixed costs).</li>
 * </ul>
 *
 * @param run         the reference run
 * @param calibration the host calibration fitted to the run's microbenchmarks
 * @param rows        one row per measured point and compared quantity, in the run's order
 */
public record Validation(ReferenceRun run, HostCalibration calibration, List<Row> rows) {
    /** The quantities compared, in report order (docs/architecture.md, "Contracts"). */
    public static final List<String> QUANTITIES = List.of(
            "params",
            "weights_bytes",
            "kv_cache_bytes",
            "prefill_flops",
            "peak_memory_bytes",
            "peak_memory_bytes_decode",
            "prefill_seconds",
            "decode_seconds_per_token");
    /** The quantities that are times: they have a floor. */
    public static final List<String> LATENCY_QUANTITIES = List.of("prefill_seconds", "decode_seconds_per_token");

    /**
     * Copies the rows.
     *
     * @param run the reference run
     * @param calibration the host calibration fitted to the run's microbenchmarks
     * @param rows one row per measured point and compared quantity, in the run's order
     */
    public Validation {
        rows = List.copyOf(rows);
    }

    /** What a target bounds. */
    public enum Statistic {
        /** Median of |relative error|. */
        MEDIAN("medianAbsRelativeError"),
        /** Largest |relative error|. */
        MAX("maxAbsRelativeError"),
        /** Every floor at most its measured value (limit unused). */
        FLOOR("floorIsLowerBound");

        private final String key;

        Statistic(String key) {
            this.key = key;
        }

        /**
         * The JSON name of the statistic.
         *
         * @return the name
         */
        public String key() {
            return key;
        }
    }

    /**
     * An accuracy target over the rows of one quantity.
     *
     * @param description what it says, for people
     * @param quantity    the quantity
     * @param dtype       the format, or null for all
     * @param maxBatch    rows up to this batch
     * @param statistic   what is bounded
     * @param limit       the largest allowed value of the statistic (FLOOR: unused, 0)
     */
    public record Target(
            String description, String quantity, String dtype, long maxBatch, Statistic statistic, double limit) {}

    /**
     * A target and what was achieved.
     *
     * @param target   the target
     * @param summary  the rows it covers
     * @param achieved the statistic (FLOOR: 1 when every floor is below its measured value, else 0); NaN without rows
     * @param met      whether the statistic is within the limit (a target without rows is not met)
     */
    public record TargetResult(Target target, Summary summary, double achieved, boolean met) {}

    /** Largest batch and context the latency targets cover (the issue: batch up to 16, contexts up to 4096). */
    public static final long TARGET_MAX_BATCH = 16;

    /**
     * The targets of counts and memory, which hold on any run of the harness (the live {@code --quick} check): parameter,
     * weight and KV-cache counts exact, prefill FLOPs within 0.5 % of the profiler's count, whole-process peak memory
     * within {@link #MEMORY_LIMIT} at every point.
     */
    public static final List<Target> COUNT_TARGETS = List.of(
            new Target("parameters exact", "params", null, Long.MAX_VALUE, Statistic.MAX, 0),
            new Target("weight bytes exact", "weights_bytes", null, Long.MAX_VALUE, Statistic.MAX, 0),
            new Target("KV-cache bytes exact", "kv_cache_bytes", null, Long.MAX_VALUE, Statistic.MAX, 0),
            new Target(
                    "prefill FLOPs within 0.5 % of the profiler's count",
                    "prefill_flops", null, Long.MAX_VALUE, Statistic.MAX, 0.005));

    /**
     * Largest relative error of whole-process peak memory: 5 % (the target for the shipped run).
     */
    public static final double MEMORY_LIMIT = 0.05;

    /**
     * Largest relative error of whole-process peak memory in the live {@code --quick} check: 10 %. Its models have 1-8 MB
     * of weights in a 260 MB process, where what the runtime holds varies between processes by several MB (thread
     * pools, library buffers, the harness's random pool) beside the runtime term the calibration measured once.
     */
    public static final double QUICK_MEMORY_LIMIT = 0.10;

    /**
     * The targets of the shipped (full) run: counts, memory, and calibrated decode latency per format, floors below.
     *
     * @param dtypes the formats of the run
     * @return the targets
     */
    public static List<Target> fullTargets(List<String> dtypes) {
        List<Target> t = new ArrayList<>(COUNT_TARGETS);
        t.add(new Target(
                "peak memory within 5 % at every point",
                "peak_memory_bytes", null, Long.MAX_VALUE, Statistic.MAX, MEMORY_LIMIT));
        for (String d : dtypes) {
            t.add(new Target(
                    "decode time per token, batch 1, " + d + ": median error at most 10 %",
                    "decode_seconds_per_token",
                    d,
                    1,
                    Statistic.MEDIAN,
                    0.10));
            t.add(new Target(
                    "decode time per token, batch up to 16, " + d + ": median error at most 20 %",
                    "decode_seconds_per_token",
                    d,
                    TARGET_MAX_BATCH,
                    Statistic.MEDIAN,
                    0.20));
        }
        for (String q : LATENCY_QUANTITIES)
            t.add(new Target("floor below every measured " + q, q, null, Long.MAX_VALUE, Statistic.FLOOR, 0));
        return t;
    }

    /**
     * The targets of a live {@code --quick} run: counts, and memory within {@link #QUICK_MEMORY_LIMIT}.
     *
     * @return the targets
     */
    public static List<Target> quickTargets() {
        List<Target> t = new ArrayList<>(COUNT_TARGETS);
        t.add(new Target(
                "peak memory within 10 % at every point (tiny models)",
                "peak_memory_bytes", null, Long.MAX_VALUE, Statistic.MAX, QUICK_MEMORY_LIMIT));
        return t;
    }

    /**
     * The full targets against this validation's rows.
     *
     * @return each target with its figure and verdict
     */
    public List<TargetResult> targets() {
        return evaluate(fullTargets(dtypes()));
    }

    /**
     * Some targets against this validation's rows.
     *
     * @param targets the targets
     * @return each target with its figure and verdict
     */
    public List<TargetResult> evaluate(List<Target> targets) {
        List<TargetResult> out = new ArrayList<>();
        for (Target t : targets) {
            Summary s = summary(t.quantity(), t.dtype(), 1, t.maxBatch());
            double achieved = switch (t.statistic()) {
                case MEDIAN -> s.medianAbsRelativeError();
                case MAX -> s.maxAbsRelativeError();
                case FLOOR -> s.points() == 0 ? Double.NaN : s.floorIsLowerBound() ? 1 : 0;
            };
            boolean met = s.points() > 0
                    && (t.statistic() == Statistic.FLOOR ? achieved == 1 : achieved <= t.limit() + 1e-12);
            out.add(new TargetResult(t, s, achieved, met));
        }
        return out;
    }

    /**
     * One compared point.
     *
     * @param quantity  what is compared ({@link #QUANTITIES})
     * @param model     model id
     * @param dtype     numeric format of weights, activations and cache
     * @param batch     sequences
     * @param context   prompt tokens (the decode position)
     * @param measured  the measured value
     * @param estimated strata's (calibrated) estimate
     * @param floor     the floor estimate of a time (NaN for other quantities)
     * @param unit      the measured unit
     * @param loaded    whether the point was measured while other processes competed for the cores
     */
    public record Row(
            String quantity,
            String model,
            String dtype,
            long batch,
            long context,
            double measured,
            double estimated,
            double floor,
            String unit,
            boolean loaded) {
        /**
         * (estimated - measured) / measured.
         *
         * @return the relative error
         */
        public double relativeError() {
            return (estimated - measured) / measured;
        }

        /**
         * Whether the floor is at most the measured value (for times; true for other quantities).
         *
         * @return whether the floor is at most the measured value
         */
        public boolean floorBelowMeasured() {
            return Double.isNaN(floor) || floor <= measured;
        }
    }

    /**
     * Summary of some rows.
     *
     * @param points                 rows
     * @param medianAbsRelativeError median of |relative error|
     * @param maxAbsRelativeError    largest |relative error|
     * @param floorIsLowerBound      whether every floor is at most its measured value (times only; true otherwise)
     */
    public record Summary(
            int points, double medianAbsRelativeError, double maxAbsRelativeError, boolean floorIsLowerBound) {
        static Summary of(List<Row> rows) {
            double[] e = rows.stream()
                    .mapToDouble(r -> Math.abs(r.relativeError()))
                    .sorted()
                    .toArray();
            double median = e.length == 0
                    ? Double.NaN
                    : e.length % 2 == 1 ? e[e.length / 2] : (e[e.length / 2 - 1] + e[e.length / 2]) / 2;
            return new Summary(
                    e.length,
                    median,
                    e.length == 0 ? Double.NaN : e[e.length - 1],
                    rows.stream().allMatch(Row::floorBelowMeasured));
        }
    }

    /**
     * Validates the shipped CPU run.
     *
     * @return the validation
     */
    public static Validation shipped() {
        return shipped("cpu");
    }

    /**
     * Validates the run shipped for a device ({@link ReferenceRun#DEVICES}; another is an error naming {@code device}),
     * once per device, on first use.
     *
     * @param device {@code cpu} or {@code cuda}
     * @return the validation
     */
    public static Validation shipped(String device) {
        return SHIPPED.computeIfAbsent(ReferenceRun.checkDevice("device", device), d -> of(ReferenceRun.shipped(d)));
    }

    private static final Map<String, Validation> SHIPPED = new java.util.concurrent.ConcurrentHashMap<>();

    /**
     * The device a request names, trimmed; {@code cpu} when it names none (the page, its chart and the API alike).
     *
     * @param device the device a request names, or null
     * @return the device, {@code cpu} by default
     */
    public static String deviceOrDefault(String device) {
        return device == null || device.isBlank() ? "cpu" : device.trim();
    }

    /**
     * How much longer (positive) or shorter the run's microbenchmarks took after its points than before them, time after
     * / time before - 1: over the matrix products measured both times (their number, median, least and most), and the
     * stream. The estimates use the two calibrations averaged ({@link Microbenchmarks#averagedWith}).
     */
    public record CalibrationDrift(
            long products, double productTimeMedian, double productTimeMin, double productTimeMax, double streamTime) {
        static CalibrationDrift of(Microbenchmarks before, Microbenchmarks after) {
            Map<List<Object>, Double> times = new java.util.HashMap<>();
            for (Microbenchmarks.MatrixProduct p : before.matrixProducts()) times.put(p.benchmark(), p.seconds());
            DescriptiveStatistics change = new DescriptiveStatistics();
            for (Microbenchmarks.MatrixProduct p : after.matrixProducts()) {
                Double t = times.get(p.benchmark());
                if (t != null) change.addValue(p.seconds() / t - 1);
            }
            return new CalibrationDrift(
                    change.getN(),
                    change.getPercentile(50),
                    change.getMin(),
                    change.getMax(),
                    before.streamBytesPerSecond() / after.streamBytesPerSecond() - 1);
        }
    }

    /**
     * The drift between the run's two calibrations; null when it calibrated once.
     *
     * @return the drift, or null
     */
    public CalibrationDrift calibrationDrift() {
        List<Microbenchmarks> c = run.calibrations();
        return c.size() < 2 ? null : CalibrationDrift.of(c.get(0), c.get(1));
    }

    /**
     * Validates a run against the host calibrated from the run's own microbenchmarks.
     *
     * @param run the run
     * @return the validation
     */
    public static Validation of(ReferenceRun run) {
        HardwareEntry host = HardwareCatalog.host(run.calibrations()); // the floor: the best of every calibration
        Microbenchmarks benchmarks = host.calibration(); // the calibrations averaged, as run.calibration()
        HostCalibration calibration = HostCalibration.fit(host.hardware(), benchmarks);
        java.util.Set<String> prefilled = new java.util.HashSet<>();
        for (ReferenceRun.MeasuredPoint p : run.points())
            if (p.quantity().startsWith("prefill_")) prefilled.add(key(p));
        List<Row> rows = new ArrayList<>();
        for (ReferenceRun.MeasuredPoint p : run.points()) {
            if (!QUANTITIES.contains(p.quantity())) continue;
            TransformerSpec spec = run.spec(p);
            NumericFormat f = NumericFormat.parse("dtype", p.dtype());
            Precision precision = Precision.of(f, f, Optimizer.ADAMW);
            double estimated, floor = Double.NaN;
            boolean allLogits = "all".equals(p.prefillLogits());
            switch (p.quantity()) {
                case "params" -> estimated = Parameters.count(spec).total();
                case "weights_bytes" -> estimated = Weights.bytes(spec, precision);
                case "kv_cache_bytes" -> estimated = KvCache.bytes(spec, f, p.kvCapacityTokens(), p.batch());
                case "prefill_flops" ->
                    estimated = Flops.prefill(spec, p.context(), p.batch(), FlopsConvention.FULL)
                            .total();
                case "peak_memory_bytes", "peak_memory_bytes_decode" -> {
                    boolean prefill = p.quantity().equals("peak_memory_bytes") && prefilled.contains(key(p));
                    estimated = peakMemoryBytes(spec, precision, p, prefill, allLogits, benchmarks);
                }
                case "prefill_seconds" -> {
                    StepTime s = Latency.prefill(
                            spec,
                            precision,
                            Workload.of(p.batch(), p.context(), 0),
                            calibration.hardware(),
                            calibration.tuning(),
                            Offload.NONE,
                            allLogits);
                    estimated = s.calibratedSeconds();
                    floor = s.floorSeconds();
                }
                case "decode_seconds_per_token" -> {
                    StepTime s = Latency.decodeStep(
                            spec,
                            precision,
                            Parallelism.NONE,
                            p.batch(),
                            p.kvCapacityTokens(),
                            calibration.hardware(),
                            calibration.tuning(),
                            Offload.NONE);
                    estimated = s.calibratedSeconds();
                    floor = s.floorSeconds();
                }
                default -> throw new IllegalStateException(p.quantity());
            }
            rows.add(new Row(
                    p.quantity(),
                    p.model(),
                    p.dtype(),
                    p.batch(),
                    p.context(),
                    p.measured(),
                    estimated,
                    floor,
                    p.unit(),
                    p.loadedMachine()));
        }
        return new Validation(run, calibration, rows);
    }

    /**
     * Whole-process peak memory of a point: weights, the KV cache at its capacity, the peak activations of what the
     * point ran (a decode step; and the prefill, with logits of every prompt position if {@code allLogits}) and the
     * runtime's own memory, as {@link InferenceMemoryTerms}. The harness's head writes its logits and nothing beside
     * them, so each logit takes what a matrix product's output takes at its peak on the run's machine
     * ({@link Microbenchmarks#productOutputBytes}: about 6 bytes in bf16 on a CPU that computes it in fp32, 2 on a
     * GPU; the element size when not measured).
     */
    static long peakMemoryBytes(
            TransformerSpec spec,
            Precision precision,
            ReferenceRun.MeasuredPoint p,
            boolean prefill,
            boolean allLogits,
            Microbenchmarks machine) {
        NumericFormat f = precision.activations();
        double perLogit = machine.productOutputBytes(f.id(), f.bits() / 8.0);
        long activations = Activations.inferencePeakBytes(spec, p.batch(), p.batch(), 1, f, perLogit);
        if (prefill)
            activations = Math.max(
                    activations,
                    Activations.inferencePeakBytes(
                            spec,
                            p.batch() * p.context(),
                            allLogits ? p.batch() * p.context() : p.batch(),
                            1,
                            f,
                            perLogit));
        return new InferenceMemoryTerms(
                        Weights.bytes(spec, precision),
                        KvCache.bytes(spec, precision.kvCache(), p.kvCapacityTokens(), p.batch()),
                        activations,
                        machine.runtimeBytes())
                .total();
    }

    /**
     * What identifies a measured point across its quantities: model, dtype, batch and context.
     *
     * @param p a measured point
     * @return the key
     */
    public static String key(ReferenceRun.MeasuredPoint p) {
        return p.model() + "/" + p.dtype() + "/" + p.batch() + "/" + p.context();
    }

    /**
     * Summary per quantity (all formats together), in {@link #QUANTITIES} order.
     *
     * @return summaries by quantity
     */
    public Map<String, Summary> byQuantity() {
        Map<String, Summary> out = new LinkedHashMap<>();
        for (String q : QUANTITIES) {
            List<Row> r = rows.stream().filter(x -> x.quantity().equals(q)).toList();
            if (!r.isEmpty()) out.put(q, Summary.of(r));
        }
        return out;
    }

    /**
     * Summary of the rows of one quantity that match: dtype null for all, maxBatch for batch at most that.
     *
     * @param quantity the quantity
     * @param dtype the format, or null for all
     * @param minBatch the smallest batch
     * @param maxBatch the largest batch
     * @return the summary
     */
    public Summary summary(String quantity, String dtype, long minBatch, long maxBatch) {
        return Summary.of(rows.stream()
                .filter(r -> r.quantity().equals(quantity)
                        && (dtype == null || r.dtype().equals(dtype))
                        && r.batch() >= minBatch
                        && r.batch() <= maxBatch)
                .toList());
    }

    /**
     * The formats of the rows, in order of first appearance.
     *
     * @return the formats
     */
    public List<String> dtypes() {
        return rows.stream().map(Row::dtype).distinct().toList();
    }

    @Override
    public String toString() {
        return "Validation" + Arrays.asList(run.source(), rows.size());
    }
}
