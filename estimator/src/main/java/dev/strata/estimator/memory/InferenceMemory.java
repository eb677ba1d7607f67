package dev.strata.estimator.memory;

import dev.strata.model.Precision;
import dev.strata.model.TransformerSpec;
import dev.strata.model.Workload;
import dev.strata.model.internal.Checks;

/**
 * Memory to serve a workload: weights ({@link Weights}), KV cache at the full context of every sequence
 * ({@link KvCache}), peak activations of prefill and decode ({@link Activations#inferencePeakBytes}) and a named
 * runtime overhead, for one replica and for the most loaded device under tensor and pipeline parallelism
 * ({@link Sharding}). The batch is per data-parallel replica; every replica holds the same.
 */
public final class InferenceMemory {
    private InferenceMemory() {}

    /**
     * Default runtime overhead per device: 1 GiB for the CUDA context, cuBLAS/NCCL workspaces and allocator slack.
     * An assumption, not a measurement: the context alone is typically 0.3–0.8 GiB on current GPUs; pass your own.
     */
    public static final long DEFAULT_RUNTIME_OVERHEAD_BYTES = 1L << 30;

    /**
     * The estimate with {@link #DEFAULT_RUNTIME_OVERHEAD_BYTES}.
     *
     * @param spec the model
     * @param p its formats
     * @param w the workload (batch, prompt and generated tokens, parallelism)
     * @return weights, KV cache, activations and overhead, whole and per device
     */
    public static InferenceMemoryEstimate estimate(TransformerSpec spec, Precision p, Workload w) {
        return estimate(spec, p, w, DEFAULT_RUNTIME_OVERHEAD_BYTES);
    }

    /**
     * The estimate for {@code spec} serving {@code w} in formats {@code p}, with {@code runtimeOverheadBytes} per device.
     *
     * @param spec the model
     * @param p its formats
     * @param w the workload (batch, prompt and generated tokens, parallelism)
     * @param runtimeOverheadBytes bytes the runtime holds on each device
     * @return weights, KV cache, activations and overhead, whole and per device
     */
    public static InferenceMemoryEstimate estimate(
            TransformerSpec spec, Precision p, Workload w, long runtimeOverheadBytes) {
        Checks.present("workload", w);
        return MemoryModel.of(spec, p, w.parallelism(), runtimeOverheadBytes).estimate(w);
    }
}
