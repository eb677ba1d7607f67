package dev.strata.model;

import dev.strata.model.internal.Checks;
import dev.strata.model.internal.Limits;

/**
 * Two-matrix MLP: up (hidden -> intermediate), activation, down (intermediate -> hidden), as in GPT-2 and
 * Vaswani et al. 2017.
 *
 * @param intermediateSize width of the hidden layer (4 x hidden in GPT-2)
 * @param activation       activation between the matrices
 * @param bias             whether both matrices have biases
 */
public record DenseMlp(int intermediateSize, Activation activation, boolean bias) implements Mlp {
    /**
     * Checks the fields; an invalid one throws an {@link InvalidFieldException} naming it.
     *
     * @param intermediateSize width of the hidden layer (4 x hidden in GPT-2)
     * @param activation activation between the matrices
     * @param bias whether both matrices have biases
     */
    public DenseMlp {
        Checks.range("feedForward.intermediateSize", intermediateSize, 1, Limits.MAX_WIDTH);
        Checks.present("feedForward.activation", activation);
    }

    @Override
    public int matrices() {
        return 2;
    }
}
