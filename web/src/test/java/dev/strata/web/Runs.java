package dev.strata.web;

import dev.strata.estimator.scaling.ChinchillaLaw;

/** Small synthetic CSV files of training runs for the command-line and API tests (fits of 16 runs are quick). */
final class Runs {
    /** Known constants (Besiroglu et al. 2024's refit, rounded): E 1.82, A 482, B 2085, alpha 0.348, beta 0.366. */
    static final ChinchillaLaw TRUTH = new ChinchillaLaw("truth", null, null, 1.82, 482, 2085, 0.348, 0.366);

    private Runs() {}

    /** 4 x 4 runs, N 1e8..1e10 and D 1e9..1e11 log-spaced, exact losses, with the given column names (D given as C when "C" is in the name). */
    static String csv(String nCol, String xCol, String lossCol, boolean compute) {
        StringBuilder sb = new StringBuilder(nCol + "," + xCol + "," + lossCol + "\n");
        for (int i = 0; i < 4; i++) {
            for (int j = 0; j < 4; j++) {
                double n = 1e8 * Math.pow(10, i * 2 / 3.0), d = 1e9 * Math.pow(10, j * 2 / 3.0);
                sb.append(n)
                        .append(',')
                        .append(compute ? 6 * n * d : d)
                        .append(',')
                        .append(TRUTH.loss(n, d))
                        .append('\n');
            }
        }
        return sb.toString();
    }
}
