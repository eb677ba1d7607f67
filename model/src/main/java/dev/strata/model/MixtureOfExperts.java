package dev.strata.model;

import dev.strata.model.internal.Checks;
import dev.strata.model.internal.Limits;

/**
 * Mixture-of-experts feed-forward (Shazeer et al. 2017; Mixtral, arXiv:2401.04088; DeepSeekMoE, arXiv:2401.06066):
 * a router (hidden -> routedExperts) picks {@code topK} of the routed experts per token; shared experts see every
 * token.
 *
 * @param expert           the shape of one routed expert (its {@code bias}: gpt-oss's expert biases)
 * @param routedExperts    number of routed experts
 * @param sharedExperts    number of always-active shared experts (DeepSeek: 1; Mixtral: 0)
 * @param topK             routed experts per token
 * @param routerBias       whether the router has a per-expert bias vector (DeepSeek-V3's e_score_correction_bias,
 *                         gpt-oss's router bias)
 * @param sharedExpert     the shape of one shared expert; null means the routed expert's shape (Qwen2-MoE's
 *                         shared_expert_intermediate_size differs)
 * @param sharedExpertGate whether the shared experts' output is scaled by a learned gate, hidden -> 1 without bias
 *                         (Qwen2-MoE, Qwen3-Next shared_expert_gate)
 */
public record MixtureOfExperts(
        Mlp expert,
        int routedExperts,
        int sharedExperts,
        int topK,
        boolean routerBias,
        Mlp sharedExpert,
        boolean sharedExpertGate)
        implements FeedForward {
    /**
     * Checks the fields; an invalid one throws an {@link InvalidFieldException} naming it.
     *
     * @param expert the shape of one routed expert (its {@code bias}: gpt-oss's expert biases)
     * @param routedExperts number of routed experts
     * @param sharedExperts number of always-active shared experts (DeepSeek: 1; Mixtral: 0)
     * @param topK routed experts per token
     * @param routerBias whether the router has a per-expert bias vector (DeepSeek-V3's e_score_correction_bias,
     *     gpt-oss's router bias)
     * @param sharedExpert the shape of one shared expert; null means the routed expert's shape (Qwen2-MoE's
     *     shared_expert_intermediate_size differs)
     * @param sharedExpertGate whether the shared experts' output is scaled by a learned gate, hidden -> 1 without bias
     *     (Qwen2-MoE, Qwen3-Next shared_expert_gate)
     */
    public MixtureOfExperts {
        Checks.present("feedForward.expert", expert);
        Checks.range("feedForward.routedExperts", routedExperts, 1, Limits.MAX_EXPERTS);
        Checks.range("feedForward.sharedExperts", sharedExperts, 0, Limits.MAX_EXPERTS);
        if (topK < 1 || topK > routedExperts)
            throw new InvalidFieldException(
                    "feedForward.topK", topK, "an integer from 1 to feedForward.routedExperts = " + routedExperts);
        if (sharedExpert == null) sharedExpert = expert;
        if (sharedExpertGate && sharedExperts == 0)
            throw new InvalidFieldException(
                    "feedForward.sharedExpertGate", true, "false when feedForward.sharedExperts is 0");
    }

    /**
     * Experts whose shared experts have the routed experts' shape and no gate.
     *
     * @param expert the shape of one routed expert, and of each shared expert
     * @param routedExperts number of routed experts
     * @param sharedExperts number of always-active shared experts
     * @param topK routed experts per token
     * @param routerBias whether the router has a per-expert bias vector
     */
    public MixtureOfExperts(Mlp expert, int routedExperts, int sharedExperts, int topK, boolean routerBias) {
        this(expert, routedExperts, sharedExperts, topK, routerBias, null, false);
    }
}
