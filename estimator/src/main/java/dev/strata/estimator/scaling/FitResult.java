package dev.strata.estimator.scaling;

import java.util.List;

/**
 * A fit of the Chinchilla form to a user's runs.
 *
 * @param law                 the fitted law (id {@code fit})
 * @param E                   irreducible loss
 * @param A                   parameter-term coefficient
 * @param B                   data-term coefficient
 * @param alpha               parameter exponent α
 * @param beta                data exponent β
 * @param paramsExponent      the implied compute-optimal exponent a = β/(α+β) of N_opt ∝ C^a
 * @param tokensExponent      the implied compute-optimal exponent b = α/(α+β) of D_opt ∝ C^b
 * @param objective           the minimised sum of Huber losses over the runs used
 * @param starts              starting points tried
 * @param points              every run, with the fit's prediction (excluded runs marked)
 * @param bootstrapResamples  resamples asked for
 * @param bootstrapFailures   resamples whose fit failed to converge (left out of the spread)
 * @param options             the options used
 */
public record FitResult(
        ChinchillaLaw law,
        Estimate E,
        Estimate A,
        Estimate B,
        Estimate alpha,
        Estimate beta,
        Estimate paramsExponent,
        Estimate tokensExponent,
        double objective,
        int starts,
        List<FitPoint> points,
        int bootstrapResamples,
        int bootstrapFailures,
        FitOptions options) {
    /**
     * Copies the points.
     *
     * @param law the fitted law (id {@code fit})
     * @param E irreducible loss
     * @param A parameter-term coefficient
     * @param B data-term coefficient
     * @param alpha parameter exponent α
     * @param beta data exponent β
     * @param paramsExponent the implied compute-optimal exponent a = β/(α+β) of N_opt ∝ C^a
     * @param tokensExponent the implied compute-optimal exponent b = α/(α+β) of D_opt ∝ C^b
     * @param objective the minimised sum of Huber losses over the runs used
     * @param starts starting points tried
     * @param points every run, with the fit's prediction (excluded runs marked)
     * @param bootstrapResamples resamples asked for
     * @param bootstrapFailures resamples whose fit failed to converge (left out of the spread)
     * @param options the options used
     */
    public FitResult {
        points = List.copyOf(points);
    }

    /**
     * Runs used in the fit.
     *
     * @return the number of runs not excluded
     */
    public long usedRows() {
        return points.stream().filter(p -> !p.excluded()).count();
    }
}
