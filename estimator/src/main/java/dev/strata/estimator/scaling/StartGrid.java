package dev.strata.estimator.scaling;

import dev.strata.model.InvalidFieldException;
import dev.strata.model.internal.Checks;

/**
 * The starting points of a fit: every combination of the listed values of the log-sum-exp parameters
 * (a = ln A, b = ln B, e = ln E, α, β).
 *
 * @param a     starts for a = ln A
 * @param b     starts for b = ln B
 * @param e     starts for e = ln E
 * @param alpha starts for α
 * @param beta  starts for β
 */
public record StartGrid(double[] a, double[] b, double[] e, double[] alpha, double[] beta) {
    /** Most starting points accepted. */
    public static final int MAX_STARTS = 1_000_000;

    /**
     * Hoffmann et al. 2022, arXiv:2203.15556, App. D.2: α, β ∈ {0, 0.5, …, 2}, e ∈ {−1, −0.5, …, 1},
     * a, b ∈ {0, 5, …, 25}: 6 x 6 x 5 x 5 x 5 = 4,500 starts.
     */
    public static final StartGrid HOFFMANN_2022 =
            new StartGrid(range(0, 25, 5), range(0, 25, 5), range(-1, 1, 0.5), range(0, 2, 0.5), range(0, 2, 0.5));

    /**
     * Checks the fields; an invalid one throws an {@code InvalidFieldException} naming it.
     *
     * @param a starts for a = ln A
     * @param b starts for b = ln B
     * @param e starts for e = ln E
     * @param alpha starts for α
     * @param beta starts for β
     */
    public StartGrid {
        for (double[] v : new double[][] {a, b, e, alpha, beta})
            if (Checks.present("grid", v).length == 0)
                throw new InvalidFieldException("grid", "[]", "at least one value per parameter");
        long n = (long) a.length * b.length * e.length * alpha.length * beta.length;
        Checks.range("grid", n, 1, MAX_STARTS);
        a = a.clone();
        b = b.clone();
        e = e.clone();
        alpha = alpha.clone();
        beta = beta.clone();
    }

    /**
     * One start (a, b, e, α, β).
     *
     * @param a a = ln A
     * @param b b = ln B
     * @param e e = ln E
     * @param alpha α
     * @param beta β
     * @return a grid of one point
     */
    public static StartGrid single(double a, double b, double e, double alpha, double beta) {
        return new StartGrid(
                new double[] {a}, new double[] {b}, new double[] {e}, new double[] {alpha}, new double[] {beta});
    }

    /**
     * Number of starting points.
     *
     * @return the product of the five lists' sizes
     */
    public int size() {
        return a.length * b.length * e.length * alpha.length * beta.length;
    }

    /**
     * Start {@code i} as (a, b, e, α, β), β varying fastest.
     *
     * @param i the index, from 0 to {@link #size()} - 1
     * @return the five values
     */
    public double[] start(int i) {
        int ib = i % beta.length;
        i /= beta.length;
        int ia = i % alpha.length;
        i /= alpha.length;
        int ie = i % e.length;
        i /= e.length;
        int ibb = i % b.length;
        i /= b.length;
        return new double[] {a[i], b[ibb], e[ie], alpha[ia], beta[ib]};
    }

    private static double[] range(double from, double to, double step) {
        int n = (int) Math.round((to - from) / step) + 1;
        double[] v = new double[n];
        for (int i = 0; i < n; i++) v[i] = from + i * step;
        return v;
    }
}
