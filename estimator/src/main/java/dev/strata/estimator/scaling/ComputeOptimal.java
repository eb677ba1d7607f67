package dev.strata.estimator.scaling;

import dev.strata.model.InvalidFieldException;
import dev.strata.model.internal.Checks;
import java.util.OptionalDouble;

/**
 * A model size and token count for a training budget, as a scaling law recommends it.
 *
 * @param lawId        the law that gave it
 * @param computeFlops the training budget C in FLOPs
 * @param params       the number of parameters N (in the law's own counting, see {@link ScalingLaw#paramsMeaning()})
 * @param tokens       the number of training tokens D
 * @param loss         the law's predicted loss at (N, D), in nats per token; empty for laws without a loss formula
 * @param method       how it was found
 */
public record ComputeOptimal(
        String lawId, double computeFlops, double params, double tokens, OptionalDouble loss, Method method) {
    /**
     * Checks the fields; an invalid one throws an {@code InvalidFieldException} naming it.
     *
     * @param lawId the law that gave it
     * @param computeFlops the training budget C in FLOPs
     * @param params the number of parameters N (in the law's own counting, see {@link ScalingLaw#paramsMeaning()})
     * @param tokens the number of training tokens D
     * @param loss the law's predicted loss at (N, D), in nats per token; empty for laws without a loss formula
     * @param method how it was found
     */
    public ComputeOptimal {
        Checks.text("lawId", lawId);
        Checks.positive("compute", computeFlops, TrainingCompute.MAX_QUANTITY);
        Checks.positive("params", params, TrainingCompute.MAX_QUANTITY);
        Checks.positive("tokens", tokens, TrainingCompute.MAX_QUANTITY);
        // a budget too small for any model: the law's numbers would be meaningless
        if (params < 1 || tokens < 1)
            throw new InvalidFieldException(
                    "compute",
                    computeFlops,
                    "a budget whose " + lawId + " optimum has at least one parameter and one "
                            + "training token (it gives "
                            + String.format(java.util.Locale.ROOT, "N = %.3g, D = %.3g", params, tokens) + ")");
        Checks.present("loss", loss);
        Checks.present("method", method);
    }

    /**
     * Tokens per parameter, D / N (Chinchilla's rule of thumb: about 20).
     *
     * @return D / N
     */
    public double tokensPerParam() {
        return tokens / params;
    }

    /**
     * Training FLOPs per token implied by the allocation, C / D (6N under the C = 6ND convention).
     *
     * @return C / D
     */
    public double flopsPerToken() {
        return computeFlops / tokens;
    }

    /** How an allocation was found. */
    public enum Method {
        /** The law's closed form (a formula of the paper). */
        CLOSED_FORM("closedForm"),
        /** Numeric minimisation of the law's loss along C = 6ND, or numeric root finding for a target loss. */
        NUMERIC("numeric");

        private final String key;

        Method(String key) {
            this.key = key;
        }

        /**
         * The name used in JSON and CSV.
         *
         * @return the name
         */
        public String key() {
            return key;
        }
    }
}
