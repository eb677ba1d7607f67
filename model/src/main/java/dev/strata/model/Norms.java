package dev.strata.model;

import dev.strata.model.internal.Checks;

/**
 * The normalisation layers of a model.
 *
 * @param kind      LayerNorm or RMSNorm; also the kind of q/k norms and MLA latent norms
 * @param bias      whether each norm has a bias vector (only LayerNorm may)
 * @param perLayer  how many hidden-size norms each transformer layer has: 2 for pre-norm GPT/Llama
 *                  (before attention, before the feed-forward), 4 for Gemma 2 (pre and post of each)
 * @param finalNorm whether a norm follows the last layer (GPT-2 ln_f, Llama norm)
 */
public record Norms(NormKind kind, boolean bias, int perLayer, boolean finalNorm) {
    /**
     * Checks the fields; an invalid one throws an {@link InvalidFieldException} naming it.
     *
     * @param kind LayerNorm or RMSNorm; also the kind of q/k norms and MLA latent norms
     * @param bias whether each norm has a bias vector (only LayerNorm may)
     * @param perLayer how many hidden-size norms each transformer layer has: 2 for pre-norm GPT/Llama (before
     *     attention, before the feed-forward), 4 for Gemma 2 (pre and post of each)
     * @param finalNorm whether a norm follows the last layer (GPT-2 ln_f, Llama norm)
     */
    public Norms {
        Checks.present("norms.kind", kind);
        Checks.range("norms.perLayer", perLayer, 0, 16);
        if (bias && kind == NormKind.RMS_NORM)
            throw new InvalidFieldException("norms.bias", true, "false for RMS_NORM (RMSNorm has no bias)");
    }

    /**
     * Pre-norm LayerNorm with weight and bias, two per layer and a final one (GPT-2).
     *
     * @return GPT-2's norms
     */
    public static Norms gpt2() {
        return new Norms(NormKind.LAYER_NORM, true, 2, true);
    }

    /**
     * Pre-norm RMSNorm, two per layer and a final one (Llama).
     *
     * @return Llama's norms
     */
    public static Norms llama() {
        return new Norms(NormKind.RMS_NORM, false, 2, true);
    }

    /**
     * Parameters of one norm over a vector of {@code width}: weight, plus bias if any.
     *
     * @param width the normalised vector's width
     * @return width, or 2 x width with a bias
     */
    public long paramsFor(long width) {
        return bias ? 2 * width : width;
    }
}
