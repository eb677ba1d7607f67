package dev.strata.estimator.memory;

/**
 * Training memory as named terms, in bytes; {@link #total()} is their sum.
 *
 * @param weightsBytes         compute copy of the weights (for LoRA: frozen base weights plus adapters)
 * @param gradientsBytes       gradients of the trainable weights
 * @param masterWeightsBytes   the optimizer's master copy of the trainable weights
 * @param optimizerStatesBytes the optimizer's states
 * @param activationsBytes     activations kept for the backward pass (Korthikanti et al. 2022), plus the output layer
 *                             and the working set of recomputation
 * @param runtimeOverheadBytes the runtime's own memory
 */
public record TrainingMemoryTerms(
        long weightsBytes,
        long gradientsBytes,
        long masterWeightsBytes,
        long optimizerStatesBytes,
        long activationsBytes,
        long runtimeOverheadBytes) {
    /**
     * The sum of the terms.
     *
     * @return bytes
     */
    public long total() {
        return Math.addExact(
                Math.addExact(
                        Math.addExact(weightsBytes, gradientsBytes),
                        Math.addExact(masterWeightsBytes, optimizerStatesBytes)),
                Math.addExact(activationsBytes, runtimeOverheadBytes));
    }

    /**
     * The JSON name of the largest term.
     *
     * @return the term's name
     */
    public String dominant() {
        String[] names = {
            "weightsBytes",
            "gradientsBytes",
            "masterWeightsBytes",
            "optimizerStatesBytes",
            "activationsBytes",
            "runtimeOverheadBytes"
        };
        long[] values = {
            weightsBytes,
            gradientsBytes,
            masterWeightsBytes,
            optimizerStatesBytes,
            activationsBytes,
            runtimeOverheadBytes
        };
        int best = 0;
        for (int i = 1; i < values.length; i++) if (values[i] > values[best]) best = i;
        return names[best];
    }
}
