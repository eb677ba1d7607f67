package dev.strata.estimator.flops;

import dev.strata.model.Recompute;

/**
 * Training FLOPs per token: forward, backward (2 x forward: the gradients with respect to the activations and to the
 * weights each cost one forward; Kaplan et al. 2020 §2.1) and the forward work repeated by activation recomputation.
 *
 * @param forward   the forward pass per token, by term
 * @param backward  2 x the forward total
 * @param recompute the recomputed part: 0 for none, the attention core for selective, the transformer layers
 *                  (everything but embedding and logits) for full recomputation (Korthikanti et al. 2022 §5)
 * @param mode      the recompute mode
 */
public record TrainingFlops(FlopsBreakdown forward, double backward, double recompute, Recompute mode) {
    /**
     * forward + backward + recompute.
     *
     * @return FLOPs per token
     */
    public double total() {
        return forward.total() + backward + recompute;
    }
}
