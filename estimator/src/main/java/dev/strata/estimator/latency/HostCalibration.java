package dev.strata.estimator.latency;

import dev.strata.model.Hardware;
import dev.strata.model.InvalidFieldException;
import dev.strata.model.Microbenchmarks;
import dev.strata.model.NumericFormat;
import dev.strata.model.Optimizer;
import dev.strata.model.Precision;
import dev.strata.model.internal.Checks;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import org.apache.commons.math3.exception.MathIllegalStateException;
import org.apache.commons.math3.optim.InitialGuess;
import org.apache.commons.math3.optim.MaxEval;
import org.apache.commons.math3.optim.PointValuePair;
import org.apache.commons.math3.optim.SimpleBounds;
import org.apache.commons.math3.optim.nonlinear.scalar.GoalType;
import org.apache.commons.math3.optim.nonlinear.scalar.ObjectiveFunction;
import org.apache.commons.math3.optim.nonlinear.scalar.noderiv.BOBYQAOptimizer;

/**
 * Fits the calibrated latency model of a measured machine (the {@code host}) to its microbenchmarks
 * ({@link Microbenchmarks}: matrix products by shape and format, KV-cache reads, per-layer overheads), never to the
 * model runs it is validated against.
 *
 * <p>Per numeric format f (the matrix products run at a different rate per format: bf16 GEMMs on a CPU without bf16
 * instructions reach a third of fp32), a per-format {@link LatencyTuning}:
 * <ol>
 *   <li>Matrix products: the bandwidth efficiency {@code b}, the input width {@code w} at which streaming reaches half
 *   of it, the compute efficiency {@code c} and the token rows {@code g} at which a GEMM reaches half of it minimise
 *   the squared log error of the time {@link Roofline} predicts for every benchmarked product of format f:
 *   {@code max(kn bytes / (B b k/(k + w)), 2mkn / (P_f c m/(m + g))) + o} (a matrix-vector product, m = 1, without
 *   the half-saturation: {@link LatencyTuning#matrixVectorRows}), with B the floor bandwidth, P_f the floor peak of f
 *   and o a fixed cost per product call: the bandwidth efficiency b, input half-width w, compute efficiency c, GEMM
 *   half-saturation g and per-product cost o together. Minimised with commons-math3's BOBYQA (Powell 2009, bound-constrained, derivative-free, since the max has
 *   kinks) over log-scaled parameters from six starting points (half-widths and half-saturations far apart); the best
 *   is kept.</li>
 *   <li>KV-cache reads: the attention bandwidth factor that makes the attention core of the KV-read benchmark take its
 *   measured time (one benchmark, one factor: solved, not fitted). The attention core gets no compute
 *   half-saturation ({@link #ATTENTION_HALF_TOKENS}).</li>
 *   <li>Fixed costs: per layer, the slope of the decode-step time of tiny-width models over their layer count, per
 *   layer style (feed-forward type), timed with the layers' matrix products replaced by their outputs, so the slope
 *   is the layer's time outside its products, which the products' own roofline time and per-call cost o are added to
 *   (older runs timed the models with their products: then the o of the products such a layer makes is taken out of
 *   the slope, which undercounts what is outside them where a tiny product costs less than o); per forward pass, the
 *   median of their intercepts less o for the output head; both at least 0. Per hidden width of the in-situ
 *   benchmarks (real-width Llama-style models timed with their products, less the same products back to back), how
 *   much longer a layer's time outside its products is there than the Llama-style slope: added to every style's
 *   per-layer time for a model of that width ({@link LatencyTuning#inSituLayerSeconds}), at least 0.</li>
 * </ol>
 * The device's efficiencies are those of the reference format ({@link #REFERENCE_FORMAT} when measured); the tuning of
 * every other format scales them.
 *
 * @param hardware        the floor device with the fitted efficiencies of the reference format
 * @param tuning          the tuning, with one entry per measured format
 * @param referenceFormat the format whose efficiencies the device carries
 * @param checks          every benchmark with its measured and its fitted time
 */
public record HostCalibration(Hardware hardware, LatencyTuning tuning, String referenceFormat, List<Check> checks) {
    /** Format whose efficiencies the host device carries, when measured: bf16, the default weights format. */
    public static final String REFERENCE_FORMAT = "bf16";
    /**
     * Attention-core compute half-saturation of the host: 0 (none). The only attention benchmark is a decode step, which
     * is bandwidth-bound; prefill attention has hundreds of query rows, where any half-saturation of a few rows vanishes.
     */
    public static final double ATTENTION_HALF_TOKENS = 0;
    /** Products of one token row run as matrix-vector products (no compute half-saturation) on the host. */
    public static final int MATRIX_VECTOR_ROWS = 1;
    /** All-reduces and transfers: none on one host; the GPU default is kept for completeness. */
    public static final double COLLECTIVE_LATENCY_SECONDS = LatencyTuning.GPU_DEFAULT.collectiveLatencySeconds();
    /** Fewest distinct input widths of one-row products needed to fit the input-width dependence (else none is assumed). */
    public static final int MIN_WIDTHS_FOR_INPUT_DEPENDENCE = 3;

    /** Starting log efficiency (bandwidth and compute) of every start: log 0.5. */
    private static final double START_LOG_EFFICIENCY = Math.log(0.5);
    /** Starting log10(1 + w) of the input half-width: w = 30 and 1,000. */
    private static final double[] START_HALF_WIDTHS = {1.5, 3};
    /** Starting log10(1 + g) of the GEMM half-saturation rows: g = 1, 19 and 315. */
    private static final double[] START_HALF_TOKENS = {0.3, 1.3, 2.5};
    /** Starting log10(1 + o / 1 µs) of the per-product overhead: o = 9 µs and 315 µs. */
    private static final double[] START_PRODUCT_OVERHEADS = {1, 2.5};
    /** Most objective evaluations of one start. */
    private static final int MAX_EVALUATIONS = 4_000;

    /**
     * Checks the fields; an invalid one throws an {@code InvalidFieldException} naming it.
     *
     * @param hardware the floor device with the fitted efficiencies of the reference format
     * @param tuning the tuning, with one entry per measured format
     * @param referenceFormat the format whose efficiencies the device carries
     * @param checks every benchmark with its measured and its fitted time
     */
    public HostCalibration {
        checks = List.copyOf(checks);
    }

    /**
     * One benchmark and how well the fitted model reproduces it.
     *
     * @param benchmark       what was timed ({@code matmul m=1 k=4096 n=4096}, {@code kv read}, {@code layer overhead gated})
     * @param format          numeric format
     * @param measuredSeconds measured time
     * @param fittedSeconds   time of the fitted model
     */
    public record Check(String benchmark, String format, double measuredSeconds, double fittedSeconds) {
        /**
         * (fitted - measured) / measured.
         *
         * @return the relative error of the fitted time
         */
        public double relativeError() {
            return (fittedSeconds - measuredSeconds) / measuredSeconds;
        }
    }

    /**
     * Fits the calibration of {@code floor} (the host's floor figures: best measured bandwidth and peaks) to
     * {@code benchmarks}.
     *
     * @param floor the host's floor figures
     * @param benchmarks the host's measured benchmarks
     * @return the fitted device, tuning and checks
     * @throws InvalidFieldException (field {@code calibration}) when a measured format has no floor peak
     */
    public static HostCalibration fit(Hardware floor, Microbenchmarks benchmarks) {
        Checks.present("hardware", floor);
        Checks.present("calibration", benchmarks);
        List<String> formats = benchmarks.formats();
        String reference = formats.contains(REFERENCE_FORMAT) ? REFERENCE_FORMAT : formats.get(0);
        Map<String, FormatFit> fits = new LinkedHashMap<>();
        for (String f : formats) {
            if (!floor.hasPeak(f))
                throw InvalidFieldException.withMessage(
                        "calibration", "calibration: format " + f + " has no peak on " + floor.id());
            fits.put(f, fitFormat(floor, benchmarks, f));
        }
        FormatFit ref = fits.get(reference);
        Hardware hw = floor.withEfficiency(new Hardware.Efficiency(
                ref.bandwidthEfficiency, ref.computeEfficiency, Hardware.Efficiency.DEFAULT_COMMUNICATION));
        Map<String, LatencyTuning> perFormat = new LinkedHashMap<>();
        List<Check> checks = new ArrayList<>();
        for (Map.Entry<String, FormatFit> e : fits.entrySet()) {
            FormatFit fit = e.getValue();
            LatencyTuning t = fit.tuning(ref);
            perFormat.put(e.getKey(), t);
            checks.addAll(checks(hw, t, benchmarks, e.getKey()));
        }
        LatencyTuning tuning = perFormat.get(reference).withFormats(perFormat);
        return new HostCalibration(hw, tuning, reference, checks);
    }

    /** The fitted factors of one format before they are put relative to the reference format. */
    private record FormatFit(
            double bandwidthEfficiency,
            double halfWidth,
            double computeEfficiency,
            double gemmHalfTokens,
            double productOverhead,
            double attentionBandwidthFactor,
            Map<String, Double> layerOverheads,
            double passOverhead,
            SortedMap<Long, Double> inSituLayers) {
        LatencyTuning tuning(FormatFit ref) {
            return new LatencyTuning(
                    gemmHalfTokens,
                    0,
                    1,
                    warmLayer(layerOverheads),
                    COLLECTIVE_LATENCY_SECONDS,
                    halfWidth,
                    attentionBandwidthFactor,
                    passOverhead,
                    layerOverheads,
                    bandwidthEfficiency / ref.bandwidthEfficiency,
                    computeEfficiency / ref.computeEfficiency,
                    MATRIX_VECTOR_ROWS,
                    ATTENTION_HALF_TOKENS,
                    productOverhead,
                    inSituLayers,
                    Map.of());
        }
    }

    /** The per-layer time of the Llama-style (gated) tiny models, or the mean of the styles measured when not that one. */
    private static double warmLayer(Map<String, Double> layerOverheads) {
        return layerOverheads.getOrDefault(
                "gated",
                layerOverheads.values().stream()
                        .mapToDouble(Double::doubleValue)
                        .average()
                        .orElse(0));
    }

    private static FormatFit fitFormat(Hardware floor, Microbenchmarks b, String format) {
        List<Microbenchmarks.MatrixProduct> products = b.matrixProducts().stream()
                .filter(p -> p.format().equals(format))
                .toList();
        long widths = products.stream()
                .filter(p -> p.rows() <= MATRIX_VECTOR_ROWS)
                .mapToLong(Microbenchmarks.MatrixProduct::inputs)
                .distinct()
                .count();
        boolean fitWidth = widths >= MIN_WIDTHS_FOR_INPUT_DEPENDENCE;
        // x = [log b, log10(1 + w), log c, log10(1 + g), log10(1 + overhead / 1 µs)]; without enough widths the
        // input-width
        // term w is not fitted at all (fixed at 0, the dimension left out: BOBYQA fails on a dimension with no room)
        double[] lo = {Math.log(1e-3), 0, Math.log(1e-3), 0, 0};
        double[] hi = {0, 5, 0, 5, 4};
        ObjectiveFunction objective = new ObjectiveFunction(v -> {
            double[] x = full(v, fitWidth);
            LatencyTuning t = productTuning(x);
            Hardware hw = withEfficiency(floor, Math.exp(x[0]), Math.exp(x[2]));
            double sum = 0;
            for (Microbenchmarks.MatrixProduct p : products) {
                double r = Math.log(productSeconds(hw, t, p) / p.seconds());
                sum += r * r;
            }
            return sum;
        });
        PointValuePair best = null;
        RuntimeException failure = null;
        for (double w0 : fitWidth ? START_HALF_WIDTHS : new double[] {0})
            for (double g0 : START_HALF_TOKENS)
                for (double o0 : START_PRODUCT_OVERHEADS) {
                    double[] start = {START_LOG_EFFICIENCY, w0, START_LOG_EFFICIENCY, g0, o0};
                    try {
                        PointValuePair p = new BOBYQAOptimizer(2 * (fitWidth ? 5 : 4) + 1)
                                .optimize(
                                        new MaxEval(MAX_EVALUATIONS),
                                        objective,
                                        GoalType.MINIMIZE,
                                        new InitialGuess(reduced(start, fitWidth)),
                                        new SimpleBounds(reduced(lo, fitWidth), reduced(hi, fitWidth)));
                        if (Double.isFinite(p.getValue()) && (best == null || p.getValue() < best.getValue()))
                            best = new PointValuePair(full(p.getPoint(), fitWidth), p.getValue());
                    } catch (MathIllegalStateException e) { // also TooManyEvaluationsException
                        failure = e; // this start failed (a trust-region step that cannot reduce the model); the others
                        // decide
                    }
                }
        if (best == null)
            throw InvalidFieldException.withMessage(
                    "calibration",
                    "calibration: the " + format + " matrix-product benchmarks could not be fitted from any "
                            + "start (" + failure.getMessage() + "); re-run the calibration on a quieter machine");
        double[] x = best.getPoint();
        double bandwidthEff = Math.exp(x[0]), computeEff = Math.exp(x[2]);
        LatencyTuning products0 = productTuning(x);

        double attention = 1;
        Hardware hw = withEfficiency(floor, bandwidthEff, computeEff);
        for (Microbenchmarks.KvRead r : b.kvReads()) {
            if (!r.format().equals(format)) continue;
            // the memory term is linear in 1 / factor: solve it for the measured time
            double factor = r.bytesPerSecond() / (floor.memoryBandwidthBytesPerSecond() * bandwidthEff);
            attention = Math.min(Math.max(factor, 1e-3), 1 / bandwidthEff);
        }
        // the benchmark models' own products paid the per-product cost inside the slope and intercept: take it out, so
        // that
        // a layer's products are not charged twice
        double perProduct = products0.matrixProductOverheadSeconds();
        Map<String, Double> layers = new LinkedHashMap<>();
        List<Double> intercepts = new ArrayList<>();
        for (Microbenchmarks.LayerOverhead o : b.layerOverheads()) {
            if (!o.format().equals(format)) continue;
            layers.put(o.style(), Math.max(0, o.perLayerSeconds() - o.productsPerLayer() * perProduct));
            intercepts.add(o.perStepSeconds() - o.productsPerStep() * perProduct);
        }
        double pass = Math.max(0, median(intercepts));
        // among its products a layer's time outside them is longer than the tiny Llama-style models' warm-cache slope:
        // the
        // difference, by width, is added to every style's per-layer time (never below it)
        double warm = warmLayer(layers);
        SortedMap<Long, Double> inSitu = new TreeMap<>();
        for (Microbenchmarks.InSituLayer l : b.inSituLayers())
            if (l.format().equals(format)) inSitu.put(l.width(), Math.max(0, l.perLayerSeconds() - warm));
        return new FormatFit(
                bandwidthEff,
                products0.bandwidthHalfInputWidth(),
                computeEff,
                products0.gemmHalfTokens(),
                products0.matrixProductOverheadSeconds(),
                attention,
                layers,
                pass,
                inSitu);
    }

    /** The parameter vector without the input-width term when it is not fitted. */
    private static double[] reduced(double[] x, boolean fitWidth) {
        return fitWidth ? x.clone() : new double[] {x[0], x[2], x[3], x[4]};
    }

    /** The whole parameter vector from the one BOBYQA works on (the input-width term 0 when it is not fitted). */
    private static double[] full(double[] v, boolean fitWidth) {
        return fitWidth ? v.clone() : new double[] {v[0], 0, v[1], v[2], v[3]};
    }

    /** The product-related factors of the parameter vector x = [log b, log10(1 + w), log c, log10(1 + g), log10(1 + o / 1 µs)]. */
    private static LatencyTuning productTuning(double[] x) {
        return new LatencyTuning(
                Math.pow(10, x[3]) - 1,
                0,
                1,
                0,
                0,
                Math.pow(10, x[1]) - 1,
                1,
                0,
                Map.of(),
                1,
                1,
                MATRIX_VECTOR_ROWS,
                ATTENTION_HALF_TOKENS,
                (Math.pow(10, x[4]) - 1) * 1e-6,
                new TreeMap<>(),
                Map.of());
    }

    private static Hardware withEfficiency(Hardware floor, double bandwidth, double compute) {
        return floor.withEfficiency(
                new Hardware.Efficiency(bandwidth, compute, Hardware.Efficiency.DEFAULT_COMMUNICATION));
    }

    /** The calibrated time of one benchmarked product, through the roofline the estimates use. */
    private static double productSeconds(Hardware hw, LatencyTuning t, Microbenchmarks.MatrixProduct p) {
        Roofline r = new Roofline(hw, precision(p.format()), t);
        StepTime s = new StepTime();
        r.op(s, 1, LatencyComponent.MLP, p.weightBytes(), p.flops(), p.rows(), p.inputs(), false);
        r.calls(s, 1, LatencyComponent.MLP, 1);
        return s.calibratedSeconds();
    }

    /** The calibrated time of one benchmarked KV read: the attention core of one query over the cache. */
    private static double kvReadSeconds(Hardware hw, LatencyTuning t, Microbenchmarks.KvRead k) {
        Roofline r = new Roofline(hw, precision(k.format()), t);
        StepTime s = new StepTime();
        double elements =
                k.cacheBytes() / NumericFormat.parse("format", k.format()).bytesFor(1);
        // scores and weighted sum: 2 FLOPs per multiply-accumulate, each K and V element used by every query of its
        // group
        r.op(s, 1, LatencyComponent.ATTENTION_CORE, k.cacheBytes(), 2.0 * elements * k.queriesPerKvHead(), 1, 0, false);
        return s.calibratedSeconds();
    }

    private static List<Check> checks(Hardware hw, LatencyTuning t, Microbenchmarks b, String format) {
        List<Check> out = new ArrayList<>();
        for (Microbenchmarks.MatrixProduct p : b.matrixProducts())
            if (p.format().equals(format))
                out.add(new Check(
                        "matmul m=" + p.rows() + " k=" + p.inputs() + " n=" + p.outputs(),
                        format,
                        p.seconds(),
                        productSeconds(hw, t, p)));
        for (Microbenchmarks.KvRead k : b.kvReads())
            if (k.format().equals(format))
                out.add(new Check(
                        "kv read " + Math.round(k.cacheBytes() / (1 << 20)) + " MiB",
                        format,
                        k.seconds(),
                        kvReadSeconds(hw, t, k)));
        return out;
    }

    private static Precision precision(String format) {
        NumericFormat f = NumericFormat.parse("format", format);
        return Precision.of(f, f, Optimizer.ADAMW);
    }

    private static double median(List<Double> v) {
        if (v.isEmpty()) return 0;
        double[] a = v.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        return a.length % 2 == 1 ? a[a.length / 2] : (a[a.length / 2 - 1] + a[a.length / 2]) / 2;
    }
}
