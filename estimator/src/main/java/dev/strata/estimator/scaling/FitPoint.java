package dev.strata.estimator.scaling;

/**
 * One run with the fitted law's prediction.
 *
 * @param row           the run's row number in the user's data
 * @param params        N
 * @param tokens        D
 * @param loss          observed loss
 * @param predictedLoss the fitted law's loss at (N, D)
 * @param excluded      whether the run was left out of the fit (one of the highest-loss runs)
 */
public record FitPoint(int row, double params, double tokens, double loss, double predictedLoss, boolean excluded) {
    /**
     * ln(observed) − ln(predicted): the residual the fit's Huber loss sees, sign flipped to observed minus fit.
     *
     * @return the residual in log space
     */
    public double residual() {
        return Math.log(loss) - Math.log(predictedLoss);
    }
}
