package dev.strata.estimator.scaling;

import dev.strata.model.InvalidFieldException;
import dev.strata.model.internal.Checks;

/**
 * Training runs to fit a scaling law to: for each run, parameters N, training tokens D and final loss.
 *
 * @param params N per run
 * @param tokens D per run
 * @param loss   final loss per run (nats per token, or any positive loss)
 * @param rows   the row number of each run in the user's file (1 = first data row), for messages and residuals
 */
public record FitData(double[] params, double[] tokens, double[] loss, int[] rows) {
    /** Fewest runs accepted after exclusions: twice the five constants of the Chinchilla form. */
    public static final int MIN_ROWS = 10;
    /** Most runs accepted. */
    public static final int MAX_ROWS = 1_000_000;

    /**
     * Checks the fields (every value finite and above 0, as many of each as runs); the arrays are copied.
     *
     * @param params N per run
     * @param tokens D per run
     * @param loss final loss per run (nats per token, or any positive loss)
     * @param rows the row number of each run in the user's file (1 = first data row), for messages and residuals
     */
    public FitData {
        Checks.present("params", params);
        Checks.present("tokens", tokens);
        Checks.present("loss", loss);
        Checks.present("rows", rows);
        int n = params.length;
        if (tokens.length != n || loss.length != n || rows.length != n)
            throw new InvalidFieldException(
                    "data",
                    tokens.length + "/" + loss.length + "/" + rows.length,
                    "as many tokens, losses and row numbers as params (" + n + ")");
        Checks.range("rows", n, 1, MAX_ROWS);
        params = params.clone();
        tokens = tokens.clone();
        loss = loss.clone();
        rows = rows.clone();
        for (int i = 0; i < n; i++) {
            check("params", rows[i], params[i]);
            check("tokens", rows[i], tokens[i]);
            check("loss", rows[i], loss[i]);
        }
    }

    /**
     * Runs given as N, D and loss, numbered 1, 2, ...
     *
     * @param params N per run
     * @param tokens D per run
     * @param loss final loss per run
     * @return the runs
     */
    public static FitData ofTokens(double[] params, double[] tokens, double[] loss) {
        return new FitData(params, tokens, loss, rowNumbers(params.length));
    }

    /**
     * Runs given as N, training compute C and loss: D = C / (6N) ({@link TrainingCompute#tokens}).
     *
     * @param params N per run
     * @param computeFlops C per run
     * @param loss final loss per run
     * @param rows the row number of each run in the user's file
     * @return the runs
     */
    public static FitData ofCompute(double[] params, double[] computeFlops, double[] loss, int[] rows) {
        Checks.present("compute", computeFlops);
        Checks.present("params", params);
        if (computeFlops.length != params.length)
            throw new InvalidFieldException(
                    "compute", computeFlops.length, "one value per run (" + params.length + ")");
        double[] tokens = new double[params.length];
        for (int i = 0; i < tokens.length; i++) {
            check("params", rows[i], params[i]);
            check("compute", rows[i], computeFlops[i]);
            tokens[i] = TrainingCompute.tokens(computeFlops[i], params[i]);
        }
        return new FitData(params, tokens, loss, rows);
    }

    /**
     * Number of runs.
     *
     * @return the number of runs
     */
    public int size() {
        return params.length;
    }

    /**
     * N per run.
     *
     * @return a copy of the values
     */
    @Override
    public double[] params() {
        return params.clone();
    }

    /**
     * D per run.
     *
     * @return a copy of the values
     */
    @Override
    public double[] tokens() {
        return tokens.clone();
    }

    /**
     * Final loss per run.
     *
     * @return a copy of the values
     */
    @Override
    public double[] loss() {
        return loss.clone();
    }

    /**
     * The row number of each run in the user's file (1 = first data row).
     *
     * @return a copy of the row numbers
     */
    @Override
    public int[] rows() {
        return rows.clone();
    }

    static int[] rowNumbers(int n) {
        int[] r = new int[n];
        for (int i = 0; i < n; i++) r[i] = i + 1;
        return r;
    }

    private static void check(String column, int row, double v) {
        if (!(v > 0 && v <= TrainingCompute.MAX_QUANTITY))
            throw InvalidFieldException.withMessage(
                    column,
                    "row " + row + ", " + column + " = " + v + " is not allowed: must be a finite number > 0 and <= "
                            + TrainingCompute.MAX_QUANTITY);
    }
}
