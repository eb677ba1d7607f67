package dev.strata.estimator.scaling;

import dev.strata.model.InvalidFieldException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.stream.IntStream;
import org.apache.commons.math3.exception.MathIllegalStateException;
import org.apache.commons.math3.fitting.leastsquares.LeastSquaresBuilder;
import org.apache.commons.math3.fitting.leastsquares.LeastSquaresOptimizer;
import org.apache.commons.math3.fitting.leastsquares.LevenbergMarquardtOptimizer;
import org.apache.commons.math3.fitting.leastsquares.MultivariateJacobianFunction;
import org.apache.commons.math3.linear.ArrayRealVector;
import org.apache.commons.math3.linear.BlockRealMatrix;
import org.apache.commons.math3.linear.RealMatrix;
import org.apache.commons.math3.linear.RealVector;
import org.apache.commons.math3.random.RandomGenerator;
import org.apache.commons.math3.random.Well19937c;
import org.apache.commons.math3.stat.descriptive.DescriptiveStatistics;
import org.apache.commons.math3.stat.descriptive.rank.Percentile;
import org.apache.commons.math3.util.Pair;

/**
 * Fits L(N, D) = E + A/N^α + B/D^β to training runs by the procedure of Hoffmann et al. 2022 (arXiv:2203.15556,
 * §3.3 and App. D.2): minimise Σ_i Huber_δ(LSE(a − α ln N_i, b − β ln D_i, e) − ln L_i) over (a, b, e, α, β) with
 * A, B, E = exp(a), exp(b), exp(e) and δ = 10⁻³, from every start of a grid, and keep the best.
 *
 * <p>Hoffmann et al. minimise with L-BFGS, which commons-math3 does not have. strata minimises the same objective
 * with commons-math3's Levenberg–Marquardt on pseudo-residuals ρ_i = sign(r_i)·√(2·Huber_δ(r_i)), whose sum of
 * squares is exactly twice the objective (ρ is continuously differentiable: ρ = r inside ±δ). Each grid start
 * is run to a loose tolerance; the best is then polished to a tight one.
 *
 * <p>Standard errors and intervals come from a nonparametric bootstrap (Besiroglu et al. 2024, arXiv:2404.10102,
 * §3): resample the runs with replacement, refit, and take the standard deviation and percentiles of each
 * constant. Each resample is refit from the full-data optimum (a single start: a resample's optimum lies near it) to
 * {@link #BOOTSTRAP_TOLERANCE}.
 * Resample i draws from its own generator, seeded from a {@link Well19937c} with the user's seed, so the result is
 * reproducible and the same on any number of threads. Starts and resamples run on the common fork-join pool.
 */
public final class ChinchillaFit {
    /** Relative tolerance (cost and parameters) of the grid-phase Levenberg–Marquardt runs. */
    public static final double GRID_TOLERANCE = 1e-6;
    /** Relative tolerance of the polishing run. */
    public static final double POLISH_TOLERANCE = 1e-12;
    /**
     * Relative tolerance of each bootstrap refit: looser than the polish, since a resample's constants feed a standard
     * deviation and percentiles (on the Chinchilla data the standard errors agree with refits at 1e-12 to 3e-5 relative,
     * with 22 % fewer iterations).
     */
    public static final double BOOTSTRAP_TOLERANCE = 1e-10;
    /** Most Levenberg–Marquardt iterations per start. */
    public static final int MAX_ITERATIONS = 5_000;

    private ChinchillaFit() {}

    /**
     * Fits the Chinchilla form to {@code data} with {@code options}.
     *
     * @param data the runs
     * @param options the procedure's settings
     * @return the fitted law, its fit to each run and, with a bootstrap, the spread of its constants
     */
    public static FitResult fit(FitData data, FitOptions options) {
        boolean[] excluded = highestLoss(data, options.excludeHighestLoss());
        int used = data.size() - options.excludeHighestLoss();
        if (used < FitData.MIN_ROWS)
            throw InvalidFieldException.withMessage(
                    "data",
                    "data: " + data.size() + " runs, " + options.excludeHighestLoss() + " excluded, leave " + used
                            + " to fit: at least " + FitData.MIN_ROWS + " runs are needed");
        double[] n = data.params(), d = data.tokens(), l = data.loss();
        requireDistinctPoints(n, d, excluded, used);
        double[] lnN = new double[used], lnD = new double[used], lnL = new double[used];
        for (int i = 0, j = 0; i < data.size(); i++) {
            if (excluded[i]) continue;
            lnN[j] = Math.log(n[i]);
            lnD[j] = Math.log(d[i]);
            lnL[j++] = Math.log(l[i]);
        }
        Problem all = new Problem(lnN, lnD, lnL, options.huberDelta());

        StartGrid grid = options.grid();
        Thread caller = Thread.currentThread();
        Local[] fromStart = IntStream.range(0, grid.size())
                .parallel()
                .mapToObj(i -> {
                    stopIfInterrupted(caller);
                    return all.minimise(grid.start(i), GRID_TOLERANCE);
                })
                .toArray(Local[]::new);
        Local best = null;
        for (Local s : fromStart) if (s != null && (best == null || s.objective < best.objective)) best = s;
        if (best == null)
            throw InvalidFieldException.withMessage(
                    "data",
                    "data: no start of the " + grid.size() + " converged to a law with positive, finite E, A, B, "
                            + "alpha and beta; the runs do not follow L = E + A/N^alpha + B/D^beta");
        Local polished = all.minimise(best.x, POLISH_TOLERANCE);
        if (polished != null && polished.objective <= best.objective) best = polished;
        double[] x = best.x;
        ChinchillaLaw law = new ChinchillaLaw(
                "fit",
                "Fit to " + used + " runs",
                "ChinchillaFit (Hoffmann et al. 2022 App. D.2 procedure)",
                Math.exp(x[2]),
                Math.exp(x[0]),
                Math.exp(x[1]),
                x[3],
                x[4]);

        double[][] boot = bootstrap(lnN, lnD, lnL, options, x);
        int failures = options.bootstrapResamples() - boot.length;
        double level = options.confidenceLevel();
        double[] point = constants(x);
        Estimate[] est = new Estimate[point.length];
        for (int k = 0; k < point.length; k++) {
            final int col = k;
            double[] values = Arrays.stream(boot).mapToDouble(r -> r[col]).toArray();
            est[k] = new Estimate(point[k], spread(values, level));
        }

        List<FitPoint> points = new ArrayList<>(data.size());
        int[] rows = data.rows();
        for (int i = 0; i < data.size(); i++)
            points.add(new FitPoint(rows[i], n[i], d[i], l[i], law.loss(n[i], d[i]), excluded[i]));
        return new FitResult(
                law,
                est[0],
                est[1],
                est[2],
                est[3],
                est[4],
                est[5],
                est[6],
                best.objective,
                grid.size(),
                points,
                options.bootstrapResamples(),
                failures,
                options);
    }

    /** Fewest distinct (N, D) points a fit needs: one per constant of the Chinchilla form. */
    public static final int MIN_DISTINCT_POINTS = 5;

    /**
     * Refuses runs that cannot determine the five constants: fewer than {@link #MIN_DISTINCT_POINTS} distinct (N, D)
     * points, or a single N or a single D (then A and alpha, or B and beta, are not separable from E). Fifty copies of
     * one run passed the count of runs and were fitted, to constants the data cannot tell apart.
     */
    private static void requireDistinctPoints(double[] n, double[] d, boolean[] excluded, int used) {
        Set<List<Double>> points = new HashSet<>();
        Set<Double> ns = new HashSet<>(), ds = new HashSet<>();
        for (int i = 0; i < n.length; i++) {
            if (excluded[i]) continue;
            points.add(List.of(n[i], d[i]));
            ns.add(n[i]);
            ds.add(d[i]);
        }
        if (points.size() < MIN_DISTINCT_POINTS || ns.size() < 2 || ds.size() < 2)
            throw InvalidFieldException.withMessage(
                    "data",
                    "data: the " + used + " runs fitted are " + points.size() + " distinct (N, D) points with "
                            + ns.size() + " values of N and " + ds.size() + " of D; the five constants of L = E + "
                            + "A/N^alpha + B/D^beta need runs at " + MIN_DISTINCT_POINTS + " or more distinct (N, D),"
                            + " with at least 2 values of N and 2 of D");
    }

    /**
     * The Huber loss (Huber 1964): r²/2 for |r| ≤ δ, else δ·(|r| − δ/2). Quadratic near zero, linear beyond, so a
     * few runs far off the law do not dominate the fit (Hoffmann et al. 2022, App. D.2).
     */
    static double huber(double r, double delta) {
        double a = Math.abs(r);
        return a <= delta ? 0.5 * r * r : delta * (a - 0.5 * delta);
    }

    /**
     * ln(exp(u1) + exp(u2) + exp(u3)), computed stably. With u1 = a − α ln N, u2 = b − β ln D, u3 = e it is
     * ln(A/N^α + B/D^β + E) = ln L(N, D) (Hoffmann et al. 2022, App. D.2).
     */
    static double logSumExp(double u1, double u2, double u3) {
        double m = Math.max(u1, Math.max(u2, u3));
        return m + Math.log(Math.exp(u1 - m) + Math.exp(u2 - m) + Math.exp(u3 - m));
    }

    /**
     * The fit's objective at (a, b, e, α, β): Σ_i Huber_δ(LSE(a − α ln N_i, b − β ln D_i, e) − ln L_i)
     * (Hoffmann et al. 2022, App. D.2).
     *
     * @param x the point (a, b, e, α, β)
     * @param data the runs
     * @param delta δ of the Huber loss
     * @return the objective
     */
    public static double objective(double[] x, FitData data, double delta) {
        double[] n = data.params(), d = data.tokens(), l = data.loss();
        for (int i = 0; i < n.length; i++) {
            n[i] = Math.log(n[i]);
            d[i] = Math.log(d[i]);
            l[i] = Math.log(l[i]);
        }
        return new Problem(n, d, l, delta).objective(x);
    }

    /** E, A, B, α, β, a, b from (a, b, e, α, β). */
    private static double[] constants(double[] x) {
        double alpha = x[3], beta = x[4];
        return new double[] {
            Math.exp(x[2]), Math.exp(x[0]), Math.exp(x[1]), alpha, beta, beta / (alpha + beta), alpha / (alpha + beta)
        };
    }

    /** Marks the k runs with the highest loss (ties: the earlier row first). */
    private static boolean[] highestLoss(FitData data, int k) {
        double[] l = data.loss();
        if (k > l.length)
            throw new InvalidFieldException("exclude-highest-loss", k, "at most the number of runs (" + l.length + ")");
        boolean[] out = new boolean[l.length];
        IntStream.range(0, l.length)
                .boxed()
                .sorted(Comparator.comparingDouble((Integer i) -> -l[i]).thenComparingInt(i -> i))
                .limit(k)
                .forEach(i -> out[i] = true);
        return out;
    }

    /**
     * Stops a fit whose calling thread was interrupted (a server whose client went away): the starts and resamples run
     * on other threads, so each checks the caller's flag before it begins.
     */
    private static void stopIfInterrupted(Thread caller) {
        if (caller.isInterrupted()) throw new CancellationException("the fit was stopped: its caller was interrupted");
    }

    /** The constants of each converged resample, rows in resample order. */
    private static double[][] bootstrap(double[] lnN, double[] lnD, double[] lnL, FitOptions options, double[] from) {
        int resamples = options.bootstrapResamples();
        if (resamples == 0) return new double[0][];
        RandomGenerator master = new Well19937c(options.seed());
        long[] seeds = new long[resamples];
        for (int r = 0; r < resamples; r++) seeds[r] = master.nextLong();
        int n = lnN.length;
        Thread caller = Thread.currentThread();
        return IntStream.range(0, resamples)
                .parallel()
                .mapToObj(r -> {
                    stopIfInterrupted(caller);
                    RandomGenerator rng = new Well19937c(seeds[r]);
                    double[] bn = new double[n], bd = new double[n], bl = new double[n];
                    for (int i = 0; i < n; i++) {
                        int j = rng.nextInt(n);
                        bn[i] = lnN[j];
                        bd[i] = lnD[j];
                        bl[i] = lnL[j];
                    }
                    Local fit = new Problem(bn, bd, bl, options.huberDelta()).minimise(from, BOOTSTRAP_TOLERANCE);
                    return fit == null ? null : constants(fit.x);
                })
                .filter(r -> r != null && Arrays.stream(r).allMatch(Double::isFinite))
                .toArray(double[][]::new);
    }

    private static Optional<Estimate.Spread> spread(double[] values, double level) {
        if (values.length < 2) return Optional.empty();
        double sd = new DescriptiveStatistics(values).getStandardDeviation();
        Percentile p = new Percentile().withEstimationType(Percentile.EstimationType.R_7); // numpy's default, linear
        p.setData(values);
        double tail = (1 - level) / 2 * 100;
        return Optional.of(new Estimate.Spread(sd, p.evaluate(tail), p.evaluate(100 - tail)));
    }

    /** Whether (a, b, e, α, β) is a usable law: every constant positive and finite, within ChinchillaLaw's bounds. */
    private static boolean valid(double[] x) {
        double a = Math.exp(x[0]), b = Math.exp(x[1]), e = Math.exp(x[2]);
        return a > 0
                && a <= ChinchillaLaw.MAX_COEFFICIENT
                && b > 0
                && b <= ChinchillaLaw.MAX_COEFFICIENT
                && e > 0
                && e <= 100
                && x[3] > 0
                && x[3] <= ChinchillaLaw.MAX_EXPONENT
                && x[4] > 0
                && x[4] <= ChinchillaLaw.MAX_EXPONENT;
    }

    /** A local optimum: the point (a, b, e, α, β) and the objective there. */
    private record Local(double[] x, double objective) {}

    /** The runs in log space and the Huber δ: the objective and its least-squares form for Levenberg–Marquardt. */
    private record Problem(double[] lnN, double[] lnD, double[] lnL, double delta) {
        double objective(double[] x) {
            double s = 0;
            for (int i = 0; i < lnN.length; i++)
                s += huber(logSumExp(x[0] - x[3] * lnN[i], x[1] - x[4] * lnD[i], x[2]) - lnL[i], delta);
            return s;
        }

        /**
         * ρ_i = sign(r_i)·√(2·Huber_δ(r_i)) with r_i = LSE_i − ln L_i, and its Jacobian: dρ/dr = 1 inside ±δ,
         * δ/|ρ| outside; dLSE/du_k is the softmax weight w_k of term k. The Jacobian is built in the block layout of a
         * {@link BlockRealMatrix}, whose negation and copy (what Levenberg–Marquardt does with it every iteration) are
         * tight loops, unlike those of an {@code Array2DRowRealMatrix}.
         */
        Pair<RealVector, RealMatrix> residuals(RealVector point) {
            double a = point.getEntry(0),
                    b = point.getEntry(1),
                    e = point.getEntry(2),
                    alpha = point.getEntry(3),
                    beta = point.getEntry(4);
            int n = lnN.length;
            double[] rho = new double[n];
            double[][] blocks = BlockRealMatrix.createBlocksLayout(n, 5); // filled in place: no copy into blocks
            int bs = BlockRealMatrix.BLOCK_SIZE;
            for (int i = 0; i < n; i++) {
                double u1 = a - alpha * lnN[i], u2 = b - beta * lnD[i];
                double m = Math.max(u1, Math.max(u2, e));
                // the largest term is exp(0) = 1: two exponentials per run, not three
                double e1 = u1 == m ? 1 : Math.exp(u1 - m),
                        e2 = u2 == m ? 1 : Math.exp(u2 - m),
                        e3 = e == m ? 1 : Math.exp(e - m);
                double z = e1 + e2 + e3;
                double r = m + Math.log(z) - lnL[i];
                double abs = Math.abs(r);
                double dRho;
                if (abs <= delta) {
                    rho[i] = r;
                    dRho = 1;
                } else {
                    rho[i] = Math.copySign(Math.sqrt(2 * delta * abs - delta * delta), r);
                    dRho = delta / Math.abs(rho[i]);
                }
                double w1 = dRho * e1 / z, w2 = dRho * e2 / z, w3 = dRho * e3 / z;
                double[] block = blocks[i / bs];
                int o = (i % bs) * 5;
                block[o] = w1;
                block[o + 1] = w2;
                block[o + 2] = w3;
                block[o + 3] = -w1 * lnN[i];
                block[o + 4] = -w2 * lnD[i];
            }
            return new Pair<>(new ArrayRealVector(rho, false), new BlockRealMatrix(n, 5, blocks, false));
        }

        /**
         * Levenberg–Marquardt from {@code start}; null when it fails to converge or ends on a degenerate law (a term
         * that vanished or blew up: A, B or E not in (0, {@link ChinchillaLaw#MAX_COEFFICIENT}], or an exponent not in
         * (0, {@link ChinchillaLaw#MAX_EXPONENT}]).
         */
        Local minimise(double[] start, double tolerance) {
            MultivariateJacobianFunction model = this::residuals;
            try {
                LeastSquaresOptimizer.Optimum opt = new LevenbergMarquardtOptimizer()
                        .withCostRelativeTolerance(tolerance)
                        .withParameterRelativeTolerance(tolerance)
                        .withOrthoTolerance(1e-12)
                        .optimize(new LeastSquaresBuilder()
                                .model(model)
                                .target(new double[lnN.length])
                                .start(start)
                                .maxIterations(MAX_ITERATIONS)
                                .maxEvaluations(2 * MAX_ITERATIONS)
                                .build());
                double[] x = opt.getPoint().toArray();
                double f = objective(x);
                return Double.isFinite(f) && valid(x) ? new Local(x, f) : null;
            } catch (MathIllegalStateException | ArithmeticException e) {
                return null;
            }
        }
    }
}
