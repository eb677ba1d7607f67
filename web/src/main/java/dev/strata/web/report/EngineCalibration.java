package dev.strata.web.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.strata.data.GpuPerformance;
import dev.strata.data.validation.PublishedServing;
import dev.strata.estimator.latency.EngineProfile;
import java.util.ArrayList;
import java.util.List;
import org.apache.commons.math3.optim.InitialGuess;
import org.apache.commons.math3.optim.MaxEval;
import org.apache.commons.math3.optim.SimpleBounds;
import org.apache.commons.math3.optim.nonlinear.scalar.GoalType;
import org.apache.commons.math3.optim.nonlinear.scalar.ObjectiveFunction;
import org.apache.commons.math3.optim.nonlinear.scalar.noderiv.BOBYQAOptimizer;

/**
 * Fits some figures of an engine profile ({@link Figure}) to published serving runs of the engine, each run simulated
 * as {@code validate --serving} simulates it. commons-math3's BOBYQA minimises the sum of squared log ratios of
 * simulated to measured values, each figure within its range; the profile's other figures stay. The simulated runs
 * are discrete (whole steps), so the objective has small steps of its own and the figures trade along ridges: the
 * search starts from the best points of a coarse grid and starts again where it stopped while that still helps.
 */
public final class EngineCalibration {
    private EngineCalibration() {}

    /** A figure of an engine profile a calibration can fit: its range and the coarse grid searched first. */
    public enum Figure {
        /** {@link EngineProfile#perLayerOverheadSeconds()}: what is left of kernel launches when a graph is replayed. */
        PER_LAYER(0, 200e-6, 20e-6, 40e-6, 80e-6, 120e-6),
        /** {@link EngineProfile#perPassOverheadSeconds()}: the scheduler, input preparation and sampling of a step. */
        PER_PASS(0, 5e-3, 0, 0.5e-3, 1e-3, 1.5e-3, 2.5e-3),
        /** {@link EngineProfile#computeEfficiencyScale()}: the share of the TensorRT-LLM-fitted compute efficiency. */
        COMPUTE_SCALE(0.3, 1, 0.6, 0.8, 1),
        /** {@link EngineProfile#collectiveLatencySeconds()}: one all-reduce's fixed time. */
        COLLECTIVE(0, 100e-6, 0, 10e-6, 20e-6, 40e-6),
        /** {@link EngineProfile#httpFrontendSeconds()}: the HTTP server's time per request. */
        HTTP_FRONTEND(0, 0.1, 0, 0.02, 0.04);
        final double lo, hi;
        final double[] grid;

        Figure(double lo, double hi, double... grid) {
            this.lo = lo;
            this.hi = hi;
            this.grid = grid;
        }

        double of(EngineProfile p) {
            return switch (this) {
                case PER_LAYER -> p.perLayerOverheadSeconds();
                case PER_PASS -> p.perPassOverheadSeconds();
                case COMPUTE_SCALE -> p.computeEfficiencyScale();
                case COLLECTIVE -> p.collectiveLatencySeconds();
                case HTTP_FRONTEND -> p.httpFrontendSeconds();
            };
        }
    }

    /**
     * The figures each calibrated profile has fitted (gpu-performance.json states them): vLLM's runs are all on one GPU,
     * so its all-reduce time is not fitted (it takes SGLang's, whose runs span one to eight GPUs).
     */
    public static final java.util.Map<String, List<Figure>> FITTED = java.util.Map.of(
            "sglang",
            List.of(Figure.PER_LAYER, Figure.COLLECTIVE, Figure.COMPUTE_SCALE, Figure.HTTP_FRONTEND),
            "vllm",
            List.of(Figure.PER_LAYER, Figure.PER_PASS, Figure.COMPUTE_SCALE, Figure.HTTP_FRONTEND));

    /**
     * {@code profile} with {@code figure} moved by {@code share} of its range, or null when that leaves the range.
     *
     * @param profile a profile
     * @param figure the figure moved
     * @param share the move, a signed share of the figure's range
     * @return the moved profile, or null
     */
    public static EngineProfile moved(EngineProfile profile, Figure figure, double share) {
        double v = figure.of(profile) + share * (figure.hi - figure.lo);
        if (Double.isNaN(v) || v < figure.lo || v > figure.hi) return null;
        return with(profile, List.of(figure), new double[] {v}, profile.basis());
    }

    /**
     * The sum of squared log ratios of simulated to measured values over {@code points}, {@code profile} in place of
     * the shipped profile of its engine.
     *
     * @param points published serving runs of the engine
     * @param profile the profile tried
     * @return the sum
     */
    public static double objective(List<PublishedServing.Point> points, EngineProfile profile) {
        ObjectNode r = GpuPerformance.withEngine(profile, () -> ServingValidationReport.pointsOnly(points));
        double s = 0;
        for (JsonNode p : r.get("points")) {
            double e = Math.log1p(p.get("error").asDouble());
            s += e * e;
        }
        return s;
    }

    /** How many of the coarse grid's best points a fit refines: the figures trade against each other along ridges. */
    static final int STARTS = 3;

    /**
     * {@code start} with the {@code figures} that fit {@code points} best: the {@link #STARTS} best points of the
     * figures' coarse grids, each refined by BOBYQA, the best of those.
     *
     * @param points published serving runs of the engine
     * @param start the profile whose other figures stay
     * @param figures the figures fitted, at least two
     * @param basis where the fitted figures come from
     * @return the fitted profile
     */
    public static EngineProfile fit(
            List<PublishedServing.Point> points, EngineProfile start, List<Figure> figures, String basis) {
        List<double[]> grid = grid(figures, 0, new double[figures.size()], new ArrayList<>());
        double[] value = new double[grid.size()];
        Integer[] order = new Integer[grid.size()];
        for (int i = 0; i < grid.size(); i++) {
            value[i] = objective(points, with(start, figures, grid.get(i), basis));
            order[i] = i;
        }
        java.util.Arrays.sort(order, java.util.Comparator.comparingDouble(i -> value[i]));
        Trial best = null;
        for (int k = 0; k < Math.min(STARTS, order.length); k++) {
            Trial t = refine(
                    points,
                    new Trial(with(start, figures, grid.get(order[k]), basis), value[order[k]]),
                    figures,
                    0.05,
                    basis);
            if (best == null || t.value() < best.value()) best = t;
        }
        return best.profile();
    }

    /** A profile tried and its objective, so that a value BOBYQA or the grid already has is not simulated again. */
    private record Trial(EngineProfile profile, double value) {}

    /** How many times BOBYQA starts again from where it stopped, while that lowers the objective by over 0.5 %. */
    static final int RESTARTS = 3;

    /**
     * {@code start} with the {@code figures} refined by BOBYQA from its own, started again from where it stopped (a
     * fresh trust region) while that still helps: on an objective with small steps it can stop short.
     *
     * @param points published serving runs of the engine
     * @param start the profile to start from (its figures are the first guess)
     * @param figures the figures fitted, at least two
     * @param step the first step of the search, a share of each figure's range
     * @param basis where the fitted figures come from
     * @return the fitted profile
     */
    public static EngineProfile refine(
            List<PublishedServing.Point> points, EngineProfile start, List<Figure> figures, double step, String basis) {
        return refine(points, new Trial(start, objective(points, start)), figures, step, basis)
                .profile();
    }

    private static Trial refine(
            List<PublishedServing.Point> points, Trial start, List<Figure> figures, double step, String basis) {
        Trial at = start;
        for (int r = 0; r <= RESTARTS; r++) {
            Trial next = search(points, at, figures, step, basis);
            if (!(next.value() < at.value())) break;
            boolean small = next.value() > at.value() * 0.995;
            at = next;
            if (small) break;
        }
        return at;
    }

    /** One BOBYQA search from {@code start}'s figures; {@code start} itself when it finds nothing lower. */
    private static Trial search(
            List<PublishedServing.Point> points, Trial start, List<Figure> figures, double step, String basis) {
        int n = figures.size();
        double[] u0 = new double[n], lo = new double[n], hi = new double[n];
        for (int i = 0; i < n; i++) {
            Figure f = figures.get(i);
            double v = f.of(start.profile()); // NaN: the GPU model's figure; the search starts at the low end
            u0[i] = Double.isNaN(v) ? 0 : Math.max(0, Math.min(1, (v - f.lo) / (f.hi - f.lo)));
            hi[i] = 1;
        }
        ObjectiveFunction objective =
                new ObjectiveFunction(u -> objective(points, at(start.profile(), figures, u, basis)));
        var r = new BOBYQAOptimizer(2 * n + 1, step, 1e-3)
                .optimize(
                        new MaxEval(40 * n),
                        GoalType.MINIMIZE,
                        new InitialGuess(u0),
                        new SimpleBounds(lo, hi),
                        objective);
        // BOBYQA's value is the objective at its point; the start is kept when the search found nothing lower
        return r.getValue() <= start.value()
                ? new Trial(at(start.profile(), figures, r.getPoint(), basis), r.getValue())
                : start;
    }

    private static List<double[]> grid(List<Figure> figures, int i, double[] at, List<double[]> out) {
        if (i == figures.size()) out.add(at.clone());
        else
            for (double v : figures.get(i).grid) {
                at[i] = v;
                grid(figures, i + 1, at, out);
            }
        return out;
    }

    /** {@code start} with the figures at the values of {@code u}, each a share of the figure's range. */
    private static EngineProfile at(EngineProfile start, List<Figure> figures, double[] u, String basis) {
        double[] v = new double[u.length];
        for (int i = 0; i < u.length; i++) {
            Figure f = figures.get(i);
            v[i] = f.lo + Math.max(0, Math.min(1, u[i])) * (f.hi - f.lo);
        }
        return with(start, figures, v, basis);
    }

    /** {@code start} with the figures at the values {@code v}. */
    static EngineProfile with(EngineProfile start, List<Figure> figures, double[] v, String basis) {
        double[] x = {
            start.perLayerOverheadSeconds(),
            start.perPassOverheadSeconds(),
            start.computeEfficiencyScale(),
            start.collectiveLatencySeconds(),
            start.httpFrontendSeconds()
        };
        for (int i = 0; i < v.length; i++) x[figures.get(i).ordinal()] = v[i];
        return start.withCosts(x[0], x[1], x[2], x[3], x[4], true, basis);
    }
}
