package dev.strata.estimator.memory;

/**
 * Bytes of the model states of training on one device (ZeRO's "model states", Rajbhandari et al. 2020 §3.1).
 *
 * @param weights         the compute copy of the weights (frozen base weights included for LoRA)
 * @param gradients       gradients of the trainable weights
 * @param masterWeights   the optimizer's master copy of the trainable weights (0 when the compute copy is the master)
 * @param optimizerStates the optimizer's states (Adam's two moments, SGD's momentum)
 */
record ModelStateBytes(long weights, long gradients, long masterWeights, long optimizerStates) {
    /** The sum of the four terms. */
    public long total() {
        return Math.addExact(Math.addExact(weights, gradients), Math.addExact(masterWeights, optimizerStates));
    }

    /** Term-wise sum. */
    public ModelStateBytes plus(ModelStateBytes o) {
        return new ModelStateBytes(
                Math.addExact(weights, o.weights),
                Math.addExact(gradients, o.gradients),
                Math.addExact(masterWeights, o.masterWeights),
                Math.addExact(optimizerStates, o.optimizerStates));
    }
}
