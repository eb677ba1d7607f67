package dev.strata.model;

import dev.strata.model.internal.Checks;
import dev.strata.model.internal.Limits;

/**
 * Gated linear unit MLP (Shazeer 2020, arXiv:2002.05202): gate and up (hidden -> intermediate), act(gate) x up,
 * down (intermediate -> hidden). SwiGLU with SILU (Llama), GeGLU with GELU (Gemma). Three matrices; a fused
 * gate_up projection (Phi-3) has the same parameters.
 *
 * @param intermediateSize width of the gate and up projections
 * @param activation       activation of the gate
 * @param bias             whether all three matrices have biases
 */
public record GatedMlp(int intermediateSize, Activation activation, boolean bias) implements Mlp {
    /**
     * Checks the fields; an invalid one throws an {@link InvalidFieldException} naming it.
     *
     * @param intermediateSize width of the gate and up projections
     * @param activation activation of the gate
     * @param bias whether all three matrices have biases
     */
    public GatedMlp {
        Checks.range("feedForward.intermediateSize", intermediateSize, 1, Limits.MAX_WIDTH);
        Checks.present("feedForward.activation", activation);
    }

    @Override
    public int matrices() {
        return 3;
    }
}
