package dev.strata.estimator.scaling;

import dev.strata.model.InvalidFieldException;
import dev.strata.model.internal.Checks;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalDouble;
import org.apache.commons.math3.analysis.solvers.BrentSolver;
import org.apache.commons.math3.exception.MathIllegalStateException;
import org.apache.commons.math3.optim.MaxEval;
import org.apache.commons.math3.optim.nonlinear.scalar.GoalType;
import org.apache.commons.math3.optim.univariate.BrentOptimizer;
import org.apache.commons.math3.optim.univariate.SearchInterval;
import org.apache.commons.math3.optim.univariate.UnivariateObjectiveFunction;
import org.apache.commons.math3.optim.univariate.UnivariatePointValuePair;

/**
 * Planning questions any {@link ScalingLaw} answers: the loss-minimising allocation of a budget (numerically,
 * for laws without a closed form), the budget that reaches a target loss, iso-FLOP curves, and the penalty of an
 * off-optimal choice. Pure functions; the numeric ones use commons-math3's Brent optimiser and solver.
 */
public final class Planner {
    /** Smallest budget the numeric searches consider, FLOPs. */
    public static final double MIN_SEARCH_FLOPS = 1e6;
    /** Largest number of points on an iso-FLOP curve. */
    public static final int MAX_ISO_FLOP_POINTS = 10_000;

    private static final double LOG_TOLERANCE = 1e-12;
    private static final int MAX_EVALUATIONS = 10_000;

    private Planner() {}

    /**
     * The allocation that minimises {@code law.loss(N, C/(6N))} over N (the minimum of an iso-FLOP curve,
     * Hoffmann et al. 2022, §3.2), found with Brent's method on ln N over 1 ≤ N ≤ C/6.
     *
     * @param law the law
     * @param computeFlops the budget C
     * @return the allocation
     */
    public static ComputeOptimal numericLossMinimising(ScalingLaw law, double computeFlops) {
        if (!law.hasLoss()) throw law.noLoss();
        Checks.positive("compute", computeFlops, TrainingCompute.MAX_QUANTITY);
        double hi = Math.log(computeFlops / TrainingCompute.FLOPS_PER_PARAM_PER_TOKEN);
        if (!(hi > 0))
            throw new InvalidFieldException("compute", computeFlops, "at least 6 FLOPs (one parameter, one token)");
        UnivariatePointValuePair best = new BrentOptimizer(LOG_TOLERANCE, 1e-14)
                .optimize(
                        new MaxEval(MAX_EVALUATIONS),
                        new UnivariateObjectiveFunction(x -> lossAt(law, computeFlops, Math.exp(x))),
                        GoalType.MINIMIZE,
                        new SearchInterval(0, hi, hi / 2));
        double n = Math.exp(best.getPoint());
        return new ComputeOptimal(
                law.id(),
                computeFlops,
                n,
                TrainingCompute.tokens(computeFlops, n),
                OptionalDouble.of(best.getValue()),
                ComputeOptimal.Method.NUMERIC);
    }

    /**
     * The smallest budget C whose loss-minimising allocation reaches {@code targetLoss}: the root of
     * L_opt(C) = target in ln C (L_opt falls as C grows), with Brent's solver.
     *
     * @param law the law
     * @param targetLoss the loss to reach, nats per token
     * @return the budget and its allocation
     */
    public static ComputeOptimal numericComputeForLoss(ScalingLaw law, double targetLoss) {
        if (!law.hasLoss()) throw law.noLoss();
        Checks.positive("loss", targetLoss, 100);
        double lo = Math.log(MIN_SEARCH_FLOPS);
        double hi = Math.log(TrainingCompute.MAX_QUANTITY);
        double atLo = law.lossMinimising(MIN_SEARCH_FLOPS).loss().orElseThrow();
        double atHi = law.lossMinimising(TrainingCompute.MAX_QUANTITY).loss().orElseThrow();
        if (!(targetLoss < atLo && targetLoss > atHi))
            throw new InvalidFieldException(
                    "loss",
                    targetLoss,
                    "between " + atHi + " (at " + TrainingCompute.MAX_QUANTITY + " FLOPs) and " + atLo + " (at "
                            + MIN_SEARCH_FLOPS + " FLOPs) for law " + law.id());
        try {
            double x = new BrentSolver(1e-13, 1e-13)
                    .solve(
                            MAX_EVALUATIONS,
                            lnC -> law.lossMinimising(Math.exp(lnC)).loss().orElseThrow() - targetLoss,
                            lo,
                            hi);
            ComputeOptimal at = law.lossMinimising(Math.exp(x));
            return new ComputeOptimal(
                    law.id(), at.computeFlops(), at.params(), at.tokens(), at.loss(), ComputeOptimal.Method.NUMERIC);
        } catch (MathIllegalStateException e) {
            throw new InvalidFieldException(
                    "loss",
                    targetLoss,
                    "a loss the search can reach for law " + law.id() + " (" + e.getMessage() + ")");
        }
    }

    /**
     * An iso-FLOP curve (Hoffmann et al. 2022, §3.2, Approach 2): the loss of {@code points} model sizes,
     * log-spaced from N_opt/span to N_opt·span around the loss-minimising size, each trained on D = C/(6N).
     *
     * @param law the law
     * @param computeFlops the budget C
     * @param points how many model sizes
     * @param span how far either side of the optimum the curve reaches, as a factor (> 1; 10 spans two decades)
     * @return the curve's points, smallest model first
     */
    public static List<IsoFlopPoint> isoFlop(ScalingLaw law, double computeFlops, int points, double span) {
        if (!law.hasLoss()) throw law.noLoss();
        Checks.range("iso-flop", points, 2, MAX_ISO_FLOP_POINTS);
        Checks.range("span", span, 1.0001, 1e6);
        ComputeOptimal opt = law.lossMinimising(computeFlops);
        double lnLo = Math.log(opt.params() / span);
        double step = 2 * Math.log(span) / (points - 1);
        double maxParams = computeFlops / TrainingCompute.FLOPS_PER_PARAM_PER_TOKEN; // D >= 1
        List<IsoFlopPoint> curve = new ArrayList<>(points);
        for (int i = 0; i < points; i++) {
            double n = Math.exp(lnLo + i * step);
            if (n > maxParams) break;
            double d = TrainingCompute.tokens(computeFlops, n);
            curve.add(new IsoFlopPoint(n, d, law.loss(n, d)));
        }
        return curve;
    }

    /**
     * The cost of training N parameters on D tokens instead of the loss-minimising allocation of the same budget
     * C = 6ND: the loss penalty, and the smaller budget with which the optimal allocation reaches the same loss.
     *
     * @param law the law
     * @param params N
     * @param tokens D
     * @return the penalty and the equivalent budget
     * @throws InvalidFieldException (field {@code params}) when N is so far from the optimum that its loss is beyond
     *                               what the law's frontier reaches (a loss above 100 nats, or above the optimum of the
     *                               smallest budget searched), so no equivalent budget exists
     */
    public static OffOptimal offOptimal(ScalingLaw law, double params, double tokens) {
        if (!law.hasLoss()) throw law.noLoss();
        double c = TrainingCompute.flops(params, tokens);
        double loss = law.loss(params, tokens);
        ComputeOptimal opt = law.lossMinimising(c);
        double equivalent;
        if (loss <= opt.loss().orElseThrow()) equivalent = c; // on the optimum, up to rounding
        else {
            try {
                equivalent = Math.min(c, law.computeForLoss(loss).computeFlops());
            } catch (
                    InvalidFieldException
                            e) { // about the derived loss, which the caller never gave: name the size instead
                if (!"loss".equals(e.field())) throw e;
                throw new InvalidFieldException(
                        "params",
                        params,
                        "a model size whose loss on the D = C/(6N) = " + tokens
                                + " tokens of the budget is one the frontier of law " + law.id() + " reaches (it is "
                                + loss + ")");
            }
        }
        return new OffOptimal(params, tokens, c, loss, opt, equivalent);
    }

    /** Loss of N parameters on the D = C/(6N) tokens that C buys them. */
    private static double lossAt(ScalingLaw law, double computeFlops, double params) {
        return law.loss(params, TrainingCompute.tokens(computeFlops, params));
    }
}
