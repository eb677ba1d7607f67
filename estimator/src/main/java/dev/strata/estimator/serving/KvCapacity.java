package dev.strata.estimator.serving;

import dev.strata.estimator.memory.Activations;
import dev.strata.estimator.memory.KvCache;
import dev.strata.estimator.memory.Weights;
import dev.strata.model.Hardware;
import dev.strata.model.InvalidFieldException;
import dev.strata.model.Parallelism;
import dev.strata.model.Precision;
import dev.strata.model.TransformerSpec;
import dev.strata.model.internal.Checks;

/**
 * The KV blocks one replica holds, as a paged engine sizes them (vLLM's {@code gpu_memory_utilization}): the device
 * memory times the utilisation fraction, less the weights, the peak activations of a full step and the runtime
 * overhead, divided by the bytes of one block on the most loaded device (and, for layers with a fixed state per
 * sequence, less that state for {@code maxSeqs} sequences).
 */
public final class KvCapacity {
    private KvCapacity() {}

    /**
     * The blocks; an error names {@code hardware} when the weights and activations leave no room.
     *
     * @param spec the model
     * @param p its formats
     * @param par how the model is split over devices
     * @param hw the device
     * @param overheadBytes bytes the runtime holds on each device
     * @param memoryUtilization the fraction of device memory the engine may use
     * @param maxBatchedTokens most tokens in one step (sizes the activations)
     * @param maxSeqs most sequences running at once
     * @param blockSize tokens per KV block
     * @return the number of KV blocks of one replica
     */
    public static long blocks(
            TransformerSpec spec,
            Precision p,
            Parallelism par,
            Hardware hw,
            long overheadBytes,
            double memoryUtilization,
            long maxBatchedTokens,
            int maxSeqs,
            int blockSize) {
        Checks.positive("memoryUtilization", memoryUtilization, 1);
        double usable = hw.memoryBytes() * memoryUtilization
                - Weights.perDeviceBytes(spec, p, par)
                - Activations.inferencePeakBytes(
                        spec, maxBatchedTokens, Math.min(maxSeqs, maxBatchedTokens), par.tensor(), p.activations())
                - overheadBytes;
        // bytes a token adds on the most loaded device (below every sliding window), and a sequence's fixed state
        long one = KvCache.perDeviceBytes(spec, p.kvCache(), 1, 1, par);
        long perToken = KvCache.perDeviceBytes(spec, p.kvCache(), 2, 1, par) - one;
        long state = one - perToken;
        usable -= (double) state * maxSeqs;
        if (perToken <= 0) return Long.MAX_VALUE / 4 / blockSize; // no growing cache: only the states bound it
        long blocks = (long) Math.floor(usable / ((double) perToken * blockSize));
        if (blocks < 1)
            throw new InvalidFieldException(
                    "hardware",
                    hw.id(),
                    "a device whose memory holds the weights, the activations of a step of " + maxBatchedTokens
                            + " tokens and at least one KV block (" + String.format("%.1f", hw.memoryBytes() / 1e9)
                            + " GB at " + memoryUtilization + " leaves "
                            + String.format("%.2f", usable / 1e9) + " GB)");
        return blocks;
    }
}
