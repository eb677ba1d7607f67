package dev.strata.data.validation;

import dev.strata.data.HardwareCatalog;
import dev.strata.estimator.latency.EngineProfile;
import dev.strata.estimator.latency.GpuEfficiency;
import dev.strata.estimator.latency.LatencyTuning;
import dev.strata.model.TransformerSpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import org.apache.commons.math3.optim.InitialGuess;
import org.apache.commons.math3.optim.MaxEval;
import org.apache.commons.math3.optim.SimpleBounds;
import org.apache.commons.math3.optim.nonlinear.scalar.GoalType;
import org.apache.commons.math3.optim.nonlinear.scalar.ObjectiveFunction;
import org.apache.commons.math3.optim.nonlinear.scalar.noderiv.BOBYQAOptimizer;

/**
 * Fits the GPU efficiencies and an engine's profile to published measurements of that engine: thirteen factors, the same
 * for every device (a device's own datasheet peak and bandwidth carry its differences), found by commons-math3's
 * BOBYQA (Powell 2009: bound-constrained, derivative-free) minimising the sum of squared log ratios of calibrated to
 * measured time. Bounds keep every efficiency physical (bandwidth at most 95 % of the datasheet, compute at most
 * 100 %). Cross-validation refits without one model, or one device, and predicts the points left out; a refit
 * without any point of a compute format gives that format the other format's factors ({@code Tie}).
 */
public final class PublishedCalibration {
    private PublishedCalibration() {}

    /** Points a fit leaves out, with why: rows that cannot be physically right as published. */
    public static final Map<String, String> EXCUSED = Map.of(
            "trt09-a100-mixtral-b32-tp2-2048-2048",
            "801 tokens/s/GPU implies 18.6 ms per decode step, while reading the experts a batch of 32 touches (about"
                    + " 45 GB per GPU) at the A100's 2.039 TB/s takes at least 22 ms");

    // x: bandwidth, compute bf16/fp16, compute fp8, half rows bf16/fp16 and fp8 (log10(1 + rows) / 4), attention
    // factor, KV group exponent, per-layer us, collective us, elementwise passes, expert factor (bf16/fp16), per-pass
    // us, expert factor in fp8
    private static final double[] LO = {0.5, 0.2, 0.1, 0, 0, 0.2, 0, 0, 0, 0, 0.1, 0, 0.05};
    private static final double[] HI = {0.95, 1, 1, 1, 1, 1, 1, 300, 100, 100, 1, 20_000, 1};
    // two starting points: BOBYQA finds a local minimum, and the better of the two is kept
    private static final double[][] STARTS = {
        {0.8, 0.6, 0.45, 0.5, 0.58, 0.8, 0.5, 20, 10, 10, 0.7, 500, 0.5},
        {0.9, 0.8, 0.5, 0.36, 0.36, 0.95, 0.3, 40, 20, 2, 0.45, 3000, 0.3}
    };
    private static final Set<Integer> LOG_ROWS = Set.of(3, 4);

    /** A fit: the device efficiencies, the engine's profile, and the calibrated errors on the points fitted. */
    public record Fit(GpuEfficiency gpu, EngineProfile engine) {
        /**
         * The tuning this fit gives.
         *
         * @return the tuning
         */
        public LatencyTuning tuning() {
            return engine.tuning(gpu);
        }
    }

    /**
     * Fits {@code points} of one engine, naming the profile {@code engineId}.
     *
     * @param points the published points of the engine
     * @param engineId the profile's id
     * @param engineName the profile's name
     * @return the fitted device efficiencies and engine profile
     */
    public static Fit fit(List<PublishedPoint> points, String engineId, String engineName) {
        List<PublishedPoint> used = usable(points);
        Tie tie = Tie.of(used);
        Map<String, TransformerSpec> specs = new HashMap<>();
        ObjectiveFunction objective = new ObjectiveFunction(u -> {
            Fit f = of(real(u, tie), engineId, engineName);
            LatencyTuning t = f.tuning();
            double s = 0;
            for (PublishedPoint p : used) {
                double e = Math.log(compare(p, f, t, specs).calibrated() / p.measuredSeconds());
                s += e * e;
            }
            return s;
        });
        double[] lo = new double[LO.length], hi = new double[LO.length];
        Arrays.fill(hi, 1);
        double[] best = null;
        double bestValue = Double.POSITIVE_INFINITY;
        for (double[] start : STARTS) {
            double[] u0 = new double[start.length];
            for (int i = 0; i < u0.length; i++) u0[i] = (start[i] - LO[i]) / (HI[i] - LO[i]);
            var r = new BOBYQAOptimizer(2 * u0.length + 1, 0.1, 1e-6)
                    .optimize(
                            new MaxEval(20_000),
                            GoalType.MINIMIZE,
                            new InitialGuess(u0),
                            new SimpleBounds(lo, hi),
                            objective);
            if (r.getValue() < bestValue) {
                bestValue = r.getValue();
                best = r.getPoint();
            }
        }
        return of(real(best, tie), engineId, engineName);
    }

    /**
     * Which compute format's factors stand in for the other's: a fit whose points hold no 16-bit run (leaving the
     * A100, the only fp16 device, out) cannot tell its 16-bit factors, which would otherwise stay wherever the search
     * left them; they take the fp8 factors instead (and the other way round), as an estimate gives a format without
     * its own factors the reference format's ({@link GpuEfficiency#compute(String)}).
     */
    private enum Tie {
        NONE,
        HALF_FROM_FP8,
        FP8_FROM_HALF;

        static Tie of(List<PublishedPoint> points) {
            boolean fp8 = points.stream().anyMatch(p -> p.weights().equals("fp8"));
            boolean half = points.stream().anyMatch(p -> !p.weights().equals("fp8"));
            return half && fp8 ? NONE : half ? FP8_FROM_HALF : HALF_FROM_FP8;
        }
    }

    // x indices of the 16-bit and fp8 factors: compute, half rows, expert factor
    private static final int[] HALF = {1, 3, 10}, FP8 = {2, 4, 12};

    private static double[] real(double[] u, Tie tie) {
        double[] x = new double[u.length];
        for (int i = 0; i < u.length; i++)
            x[i] = LOG_ROWS.contains(i) ? Math.pow(10, 4 * u[i]) - 1 : LO[i] + u[i] * (HI[i] - LO[i]);
        for (int i = 0; i < HALF.length; i++) {
            if (tie == Tie.HALF_FROM_FP8) x[HALF[i]] = x[FP8[i]];
            if (tie == Tie.FP8_FROM_HALF) x[FP8[i]] = x[HALF[i]];
        }
        return x;
    }

    private static Fit of(double[] x, String engineId, String engineName) {
        GpuEfficiency gpu = new GpuEfficiency(
                x[0],
                Map.of("bf16", x[1], "fp16", x[1], "fp8", x[2]),
                Map.of("bf16", x[3], "fp16", x[3], "fp8", x[4]),
                x[5],
                dev.strata.model.Hardware.Efficiency.DEFAULT_COMMUNICATION,
                x[8] * 1e-6);
        EngineProfile engine = new EngineProfile(
                engineId,
                engineName,
                x[6],
                x[9],
                x[10],
                Map.of("fp8", x[12]),
                x[7] * 1e-6,
                x[11] * 1e-6,
                1, // the GPU model is this engine's: its products reach the fitted efficiency
                Double.NaN, // the GPU model's collective latency, fitted with it
                0, // fitted to offline runs: no HTTP server
                true,
                "fitted to published measurements (PublishedCalibration)");
        return new Fit(gpu, engine);
    }

    /**
     * The points a fit uses: all but the excused ones.
     *
     * @param points the published points
     * @return the points a fit uses
     */
    public static List<PublishedPoint> usable(List<PublishedPoint> points) {
        return points.stream().filter(p -> !EXCUSED.containsKey(p.id())).toList();
    }

    /**
     * {@code p} estimated with {@code fit}.
     *
     * @param p a published point
     * @param fit the fit
     * @return the comparison
     */
    public static PublishedComparison compare(PublishedPoint p, Fit fit) {
        return compare(p, fit, fit.tuning(), new HashMap<>());
    }

    private static PublishedComparison compare(
            PublishedPoint p, Fit fit, LatencyTuning tuning, Map<String, TransformerSpec> specs) {
        TransformerSpec spec = specs.computeIfAbsent(p.model(), k -> PublishedMeasurements.model(p));
        return PublishedComparison.of(p, spec, fit.gpu().apply(HardwareCatalog.get(p.hardware())), tuning);
    }

    /**
     * Cross-validation: for each value of {@code key} (a model, a device), fit without its points and estimate them;
     * the comparisons of every point so predicted.
     *
     * @param points the published points
     * @param key the group of a point (its model, its device)
     * @param engineId the profile's id
     * @return the comparisons of every point, each predicted by a fit without its group
     */
    public static List<PublishedComparison> crossValidate(
            List<PublishedPoint> points, Function<PublishedPoint, String> key, String engineId) {
        List<PublishedPoint> used = usable(points);
        Set<String> groups = new TreeSet<>();
        for (PublishedPoint p : used) groups.add(key.apply(p));
        List<PublishedComparison> out = new ArrayList<>();
        for (String g : groups) {
            List<PublishedPoint> train =
                    used.stream().filter(p -> !key.apply(p).equals(g)).toList();
            Fit f = fit(train, engineId, engineId);
            for (PublishedPoint p : used) if (key.apply(p).equals(g)) out.add(compare(p, f));
        }
        return out;
    }
}
