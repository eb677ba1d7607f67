package dev.strata.estimator.memory;

import dev.strata.model.Checks;
import dev.strata.model.InvalidFieldException;
import dev.strata.model.Parallelism;
import dev.strata.model.Precision;
import dev.strata.model.TransformerSpec;
import dev.strata.model.Workload;

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

    /** The estimate with {@link #DEFAULT_RUNTIME_OVERHEAD_BYTES}. */
    public static InferenceMemoryEstimate estimate(TransformerSpec spec, Precision p, Workload w) {
        return estimate(spec, p, w, DEFAULT_RUNTIME_OVERHEAD_BYTES);
    }

    /**
     * The estimate for {@code spec} serving {@code w} in formats {@code p}, with {@code runtimeOverheadBytes} per device.
     */
    public static InferenceMemoryEstimate estimate(TransformerSpec spec, Precision p, Workload w, long runtimeOverheadBytes) {
        Checks.present("spec", spec);
        Checks.present("precision", p);
        Checks.present("workload", w);
        Checks.range("runtimeOverheadBytes", runtimeOverheadBytes, 0, Long.MAX_VALUE / 4);
        Parallelism par = w.parallelism();
        Sharding.check(spec, par);
        try {
            long context = w.contextTokens();
            long prefillTokens = Math.multiplyExact(w.batch(), w.prefillPassTokens());
            long prefill = Activations.inferencePeakBytes(spec, prefillTokens, w.batch(), 1, p.activations());
            long decode = Activations.inferencePeakBytes(spec, w.batch(), w.batch(), 1, p.activations());
            InferenceMemoryTerms whole = new InferenceMemoryTerms(Weights.bytes(spec, p), KvCache.bytes(spec, p.kvCache(), context, w.batch()),
                    Math.max(prefill, decode), runtimeOverheadBytes);

            if (par.tensor() == 1 && par.pipeline() == 1 && par.expert() == 1) { // one device holds the whole replica
                whole.total(); // must fit a long
                return new InferenceMemoryEstimate(whole, whole, KvCache.bytesPerToken(spec, p.kvCache()), prefill, decode, context, par.devices());
            }
            long[] weights = Weights.perStageBytes(spec, p, par);
            long[] kv = KvCache.perStageBytes(spec, p.kvCache(), context, w.batch(), par);
            long activations = Math.max(
                    Activations.inferencePeakBytes(spec, prefillTokens, w.batch(), par.tensor(), p.activations()),
                    Activations.inferencePeakBytes(spec, w.batch(), w.batch(), par.tensor(), p.activations()));
            InferenceMemoryTerms worst = null;
            for (int s = 0; s < weights.length; s++) {
                InferenceMemoryTerms t = new InferenceMemoryTerms(weights[s], kv[s], activations, runtimeOverheadBytes);
                if (worst == null || t.total() > worst.total()) worst = t;
            }
            worst.total(); // must fit a long
            return new InferenceMemoryEstimate(whole, worst, KvCache.bytesPerToken(spec, p.kvCache()), prefill, decode, context, par.devices());
        } catch (ArithmeticException e) {
            throw new InvalidFieldException("batch", w.batch(), "a workload whose byte counts fit in a 64-bit integer (reduce batch or tokens)");
        }
    }
}
