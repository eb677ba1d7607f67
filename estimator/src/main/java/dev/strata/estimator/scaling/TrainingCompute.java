package dev.strata.estimator.scaling;

import dev.strata.model.internal.Checks;

/**
 * The training-compute convention of the scaling laws: C = 6·N·D FLOPs for N parameters trained on D tokens
 * (Kaplan et al. 2020, arXiv:2001.08361, §2.1: about 6N FLOPs per token, forward 2N plus backward 4N; Hoffmann
 * et al. 2022, arXiv:2203.15556, §3 uses the same C ≈ 6ND). Every law, fit and cost estimate in strata that
 * needs this conversion calls this class.
 */
public final class TrainingCompute {
    /** Training FLOPs per parameter per token: 2 forward + 4 backward (Kaplan et al. 2020 §2.1). */
    public static final double FLOPS_PER_PARAM_PER_TOKEN = 6.0;
    /** Largest parameter count, token count or FLOP count accepted: 1e45, far beyond any budget. */
    public static final double MAX_QUANTITY = 1e45;

    private TrainingCompute() {}

    /**
     * Training FLOPs per token for N parameters: 6N (Kaplan et al. 2020 §2.1).
     *
     * @param params N
     * @return FLOPs per token
     */
    public static double flopsPerToken(double params) {
        return FLOPS_PER_PARAM_PER_TOKEN * Checks.positive("params", params, MAX_QUANTITY);
    }

    /**
     * Training FLOPs of N parameters on D tokens: C = 6ND (Kaplan et al. 2020 §2.1; Hoffmann et al. 2022 §3).
     *
     * @param params N
     * @param tokens D
     * @return C
     */
    public static double flops(double params, double tokens) {
        return flopsPerToken(params) * Checks.positive("tokens", tokens, MAX_QUANTITY);
    }

    /**
     * Tokens that a budget of C FLOPs buys for N parameters: D = C / (6N), the inverse of {@link #flops}.
     *
     * @param computeFlops C
     * @param params N
     * @return D
     */
    public static double tokens(double computeFlops, double params) {
        return Checks.positive("compute", computeFlops, MAX_QUANTITY) / flopsPerToken(params);
    }
}
