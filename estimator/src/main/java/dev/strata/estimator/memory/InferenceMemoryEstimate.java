package dev.strata.estimator.memory;

/**
 * Inference memory of a workload: one model replica without sharding, and the most loaded device under tensor and
 * pipeline parallelism.
 *
 * @param whole                   one replica on one device (what the workload needs in all)
 * @param perDevice               the most loaded device (the pipeline stage with the most bytes, one tensor rank)
 * @param kvCacheBytesPerToken    bytes one token of context adds to the cache of one sequence (all layers, below any window)
 * @param prefillActivationsBytes peak activations of one prefill pass (one chunk when chunked), whole replica
 * @param decodeActivationsBytes  peak activations of one decode step, whole replica
 * @param contextTokens           context each sequence reaches (prompt + generated)
 * @param devices                 devices used (tensor x pipeline x data)
 */
public record InferenceMemoryEstimate(
        InferenceMemoryTerms whole,
        InferenceMemoryTerms perDevice,
        long kvCacheBytesPerToken,
        long prefillActivationsBytes,
        long decodeActivationsBytes,
        long contextTokens,
        int devices) {
    /**
     * Bytes of one unsharded replica: {@code whole().total()}.
     *
     * @return bytes
     */
    public long totalBytes() {
        return whole.total();
    }

    /**
     * Bytes of the most loaded device: {@code perDevice().total()}.
     *
     * @return bytes
     */
    public long perDeviceBytes() {
        return perDevice.total();
    }

    /**
     * The verdict on devices of {@code deviceMemoryBytes} each.
     *
     * @param deviceMemoryBytes the capacity of one device
     * @return whether it fits, with the headroom
     */
    public Fit fit(long deviceMemoryBytes) {
        return new Fit(deviceMemoryBytes, devices, perDeviceBytes(), perDevice.dominant());
    }
}
