package dev.strata.estimator.memory;

/**
 * Inference memory as named terms, in bytes; {@link #total()} is their sum.
 *
 * @param weightsBytes         the weights
 * @param kvCacheBytes         the key/value cache at the full context of every sequence of the batch
 * @param activationsBytes     the peak activations (the larger of prefill and decode)
 * @param runtimeOverheadBytes the runtime's own memory: CUDA context, libraries' workspaces, allocator slack
 */
public record InferenceMemoryTerms(
        long weightsBytes, long kvCacheBytes, long activationsBytes, long runtimeOverheadBytes) {
    /**
     * The sum of the terms.
     *
     * @return bytes
     */
    public long total() {
        return total(weightsBytes, kvCacheBytes, activationsBytes, runtimeOverheadBytes);
    }

    /** The sum of four terms without making the record (exact: an overflow throws). */
    static long total(long weightsBytes, long kvCacheBytes, long activationsBytes, long runtimeOverheadBytes) {
        return Math.addExact(
                Math.addExact(weightsBytes, kvCacheBytes), Math.addExact(activationsBytes, runtimeOverheadBytes));
    }

    /**
     * The JSON name of the largest term: weightsBytes, kvCacheBytes, activationsBytes or runtimeOverheadBytes.
     *
     * @return the term's name
     */
    public String dominant() {
        String name = "weightsBytes";
        long max = weightsBytes;
        if (kvCacheBytes > max) {
            name = "kvCacheBytes";
            max = kvCacheBytes;
        }
        if (activationsBytes > max) {
            name = "activationsBytes";
            max = activationsBytes;
        }
        if (runtimeOverheadBytes > max) name = "runtimeOverheadBytes";
        return name;
    }
}
