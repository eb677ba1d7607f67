package dev.strata.web.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.strata.data.GpuPerformance;
import dev.strata.data.validation.PublishedServing;
import dev.strata.estimator.latency.EngineProfile;
import java.util.List;
import org.apache.commons.math3.optim.InitialGuess;
import org.apache.commons.math3.optim.MaxEval;
import org.apache.commons.math3.optim.SimpleBounds;
import org.apache.commons.math3.optim.nonlinear.scalar.GoalType;
import org.apache.commons.math3.optim.nonlinear.scalar.ObjectiveFunction;
import org.apache.commons.math3.optim.nonlinear.scalar.noderiv.BOBYQAOptimizer;

/**
 * Fits two figures of an engine that replays CUDA graphs to published serving runs of it, each simulated as
 * {@code validate --serving} simulates it: the fixed time per layer (what is left of kernel launches when a graph is
 * replayed) and the share of the GPU's calibrated compute efficiency its products reach (the GPU model is fitted to
 * TensorRT-LLM). commons-math3's BOBYQA minimises the sum of squared log ratios of simulated to measured values, the
 * fixed time per layer within 0..200 us and the share within 0.3..1; everything else in the profile stays. The
 * simulated runs are discrete (whole steps), so the objective has small steps of its own: a coarse grid first keeps
 * the search from stopping on one.
 */
public final class EngineCalibration {
    private EngineCalibration() {}

    private static final double MAX_PER_LAYER = 200e-6, MIN_SCALE = 0.3;

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

    /**
     * {@code start} with the fixed time per layer and the compute share that fit {@code points} best: the best of a
     * coarse grid (20 to 120 us by 20, 0.5 to 1 by 0.1), refined by BOBYQA from there.
     *
     * @param points published serving runs of the engine
     * @param start the profile whose other figures stay
     * @param basis where the fitted figures come from
     * @return the fitted profile
     */
    public static EngineProfile fit(List<PublishedServing.Point> points, EngineProfile start, String basis) {
        EngineProfile best = start;
        double bestValue = Double.POSITIVE_INFINITY;
        for (int layer = 20; layer <= 120; layer += 20)
            for (int share = 5; share <= 10; share++) {
                EngineProfile p =
                        start.withCosts(layer * 1e-6, start.perPassOverheadSeconds(), share / 10.0, true, basis);
                double v = objective(points, p);
                if (v < bestValue) {
                    bestValue = v;
                    best = p;
                }
            }
        return refine(points, best, 0.05, basis);
    }

    /**
     * {@code start} with the fixed time per layer and the compute share refined by BOBYQA from its own.
     *
     * @param points published serving runs of the engine
     * @param start the profile to start from (its figures are the first guess)
     * @param step the first step of the search, a share of each figure's range
     * @param basis where the fitted figures come from
     * @return the fitted profile
     */
    public static EngineProfile refine(
            List<PublishedServing.Point> points, EngineProfile start, double step, String basis) {
        ObjectiveFunction f = new ObjectiveFunction(u -> objective(points, at(start, u, basis)));
        double[] u0 = {
            Math.min(1, start.perLayerOverheadSeconds() / MAX_PER_LAYER),
            (start.computeEfficiencyScale() - MIN_SCALE) / (1 - MIN_SCALE)
        };
        var r = new BOBYQAOptimizer(5, step, 1e-3)
                .optimize(
                        new MaxEval(80),
                        GoalType.MINIMIZE,
                        new InitialGuess(u0),
                        new SimpleBounds(new double[] {0, 0}, new double[] {1, 1}),
                        f);
        // BOBYQA's value is the objective at its point; the start is kept when the search found nothing lower
        return r.getValue() <= objective(points, start) ? at(start, r.getPoint(), basis) : start;
    }

    private static EngineProfile at(EngineProfile start, double[] u, String basis) {
        return start.withCosts(
                u[0] * MAX_PER_LAYER, start.perPassOverheadSeconds(), MIN_SCALE + u[1] * (1 - MIN_SCALE), true, basis);
    }
}
