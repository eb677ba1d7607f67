package dev.strata.estimator.scaling;

/**
 * An off-optimal choice of model size and data (for example a smaller model trained longer, to serve cheaply)
 * against the loss-minimising allocation of the same budget.
 *
 * @param params                N chosen
 * @param tokens                D chosen
 * @param computeFlops          C = 6ND
 * @param loss                  the law's loss at (N, D)
 * @param optimal               the loss-minimising allocation of C
 * @param equivalentComputeFlops the budget with which the optimal allocation reaches the same loss (at most C)
 */
public record OffOptimal(
        double params,
        double tokens,
        double computeFlops,
        double loss,
        ComputeOptimal optimal,
        double equivalentComputeFlops) {
    /**
     * Loss above the optimum of the same budget, nats per token (≥ 0).
     *
     * @return nats per token
     */
    public double lossPenalty() {
        return Math.max(0, loss - optimal.loss().orElseThrow());
    }

    /**
     * Extra compute spent for the same loss, as a fraction of the optimal budget: C / C_equivalent − 1 (≥ 0).
     *
     * @return the fraction
     */
    public double computeOverhead() {
        return computeFlops / equivalentComputeFlops - 1;
    }

    /**
     * N chosen / N optimal (below 1: a smaller model trained longer).
     *
     * @return the ratio
     */
    public double paramsRatio() {
        return params / optimal.params();
    }
}
