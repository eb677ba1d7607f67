package dev.strata.model;

/**
 * Mixture-of-experts feed-forward (Shazeer et al. 2017; Mixtral, arXiv:2401.04088; DeepSeekMoE, arXiv:2401.06066):
 * a router (hidden -> routedExperts, no bias) picks {@code topK} of the routed experts per token; shared experts
 * see every token.
 *
 * @param expert         the shape of one expert (routed and shared alike)
 * @param routedExperts  number of routed experts
 * @param sharedExperts  number of always-active shared experts (DeepSeek: 1; Mixtral: 0)
 * @param topK           routed experts per token
 * @param routerBias     whether the router has a per-expert bias vector (DeepSeek-V3's e_score_correction_bias)
 */
public record MixtureOfExperts(Mlp expert, int routedExperts, int sharedExperts, int topK, boolean routerBias)
        implements FeedForward {
    public MixtureOfExperts {
        Checks.present("feedForward.expert", expert);
        Checks.range("feedForward.routedExperts", routedExperts, 1, Limits.MAX_EXPERTS);
        Checks.range("feedForward.sharedExperts", sharedExperts, 0, Limits.MAX_EXPERTS);
        if (topK < 1 || topK > routedExperts)
            throw new InvalidFieldException(
                    "feedForward.topK", topK, "an integer from 1 to feedForward.routedExperts = " + routedExperts);
    }
}
