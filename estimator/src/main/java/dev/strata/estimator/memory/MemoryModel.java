package dev.strata.estimator.memory;

import dev.strata.model.InvalidFieldException;
import dev.strata.model.Parallelism;
import dev.strata.model.Precision;
import dev.strata.model.TransformerSpec;
import dev.strata.model.Workload;
import dev.strata.model.internal.Checks;

/**
 * {@link InferenceMemory} prepared for one model, precision, parallelism and runtime overhead: the weights (whole and
 * per pipeline stage) are counted once, so that each workload only adds its KV cache and activations. What a sweep
 * over batch and tokens asks many times. Immutable and safe to share between threads.
 */
public final class MemoryModel {
    private final TransformerSpec spec;
    private final Precision precision;
    private final Parallelism parallelism;
    private final long runtimeOverheadBytes;
    private final long wholeWeights;
    /** Weights per pipeline stage on one device; null when one device holds the whole replica. */
    private final long[] stageWeights;

    private final long kvBytesPerToken;

    private MemoryModel(TransformerSpec spec, Precision p, Parallelism par, long runtimeOverheadBytes) {
        Checks.present("spec", spec);
        Checks.present("precision", p);
        Checks.present("parallelism", par);
        Checks.range("runtimeOverheadBytes", runtimeOverheadBytes, 0, Long.MAX_VALUE / 4);
        Sharding.check(spec, par);
        this.spec = spec;
        this.precision = p;
        this.parallelism = par;
        this.runtimeOverheadBytes = runtimeOverheadBytes;
        try {
            this.wholeWeights = Weights.bytes(spec, p);
            this.stageWeights = oneDevice(par) ? null : Weights.perStageBytes(spec, p, par);
            this.kvBytesPerToken = KvCache.bytesPerToken(spec, p.kvCache());
        } catch (ArithmeticException e) {
            throw new InvalidFieldException(
                    "layers", spec.layerCount(), "a model whose weight bytes fit in a 64-bit integer");
        }
    }

    /**
     * The model prepared for {@code spec} in {@code p}, split by {@code par}, with {@code runtimeOverheadBytes} per
     * device.
     *
     * @param spec the model
     * @param p its formats
     * @param par how the model is split over devices
     * @param runtimeOverheadBytes bytes the runtime holds on each device
     * @return the prepared model
     */
    public static MemoryModel of(TransformerSpec spec, Precision p, Parallelism par, long runtimeOverheadBytes) {
        return new MemoryModel(spec, p, par, runtimeOverheadBytes);
    }

    /**
     * Whether this model was prepared for these inputs (specs by identity, the rest by value).
     *
     * @param s the spec
     * @param p the formats
     * @param par the parallelism
     * @param overhead the runtime overhead in bytes
     * @return true when every input is the prepared one
     */
    public boolean isFor(TransformerSpec s, Precision p, Parallelism par, long overhead) {
        return s == spec && p.equals(precision) && par.equals(parallelism) && overhead == runtimeOverheadBytes;
    }

    private static boolean oneDevice(Parallelism par) {
        return par.tensor() == 1 && par.pipeline() == 1 && par.expert() == 1;
    }

    /**
     * The estimate for {@code w}, whose parallelism must be the one this model was prepared for.
     *
     * @param w the workload
     * @return weights, KV cache, activations and overhead, whole and per device
     */
    public InferenceMemoryEstimate estimate(Workload w) {
        Checks.present("workload", w);
        if (!w.parallelism().equals(parallelism))
            throw new InvalidFieldException(
                    "workload.parallelism",
                    w.parallelism(),
                    "the parallelism the memory model was prepared for, " + parallelism);
        try {
            long context = w.contextTokens();
            long prefill = prefillActivations(w.prefillPassSequences(), w.prefillPassTokens(), 1);
            long decode = decodeActivations(w.batch(), 1);
            InferenceMemoryTerms whole = new InferenceMemoryTerms(
                    wholeWeights,
                    KvCache.bytes(spec, precision.kvCache(), context, w.batch()),
                    Math.max(prefill, decode),
                    runtimeOverheadBytes);
            if (stageWeights == null) { // one device holds the whole replica
                whole.total(); // must fit a long
                return new InferenceMemoryEstimate(
                        whole, whole, kvBytesPerToken, prefill, decode, context, parallelism.devices());
            }
            long[] kv = KvCache.perStageBytes(spec, precision.kvCache(), context, w.batch(), parallelism);
            long activations = shardedActivations(w.batch(), w.prefillPassSequences(), w.prefillPassTokens());
            int s = worstStage(kv, activations);
            InferenceMemoryTerms worst =
                    new InferenceMemoryTerms(stageWeights[s], kv[s], activations, runtimeOverheadBytes);
            return new InferenceMemoryEstimate(
                    whole, worst, kvBytesPerToken, prefill, decode, context, parallelism.devices());
        } catch (ArithmeticException e) {
            throw tooLarge(w.batch());
        }
    }

    /**
     * Bytes of all the weights, one replica: {@code estimate(w).whole().weightsBytes()} for every workload.
     *
     * @return bytes
     */
    public long weightsBytes() {
        return wholeWeights;
    }

    /**
     * {@code estimate(w).whole().kvCacheBytes()} for a workload of {@code batch} sequences of {@code contextTokens}
     * tokens, without making the estimate (a sweep's points ask for it as numbers).
     *
     * @param batch sequences
     * @param contextTokens tokens of each sequence
     * @return bytes
     */
    public long kvCacheBytes(long batch, long contextTokens) {
        try {
            return KvCache.bytes(spec, precision.kvCache(), contextTokens, batch);
        } catch (ArithmeticException e) {
            throw tooLarge(batch);
        }
    }

    /**
     * {@code estimate(w).perDeviceBytes()} for a workload of {@code batch} sequences, prefilled {@code prefillPassTokens}
     * at a time, reaching {@code contextTokens}; on one device without making the estimate's objects (a pipeline keeps
     * one array of its stages' cache bytes).
     *
     * @param batch sequences per replica
     * @param prefillPassTokens prompt tokens per forward pass
     * @param contextTokens tokens each sequence reaches
     * @return bytes on the most loaded device
     */
    public long perDeviceBytes(long batch, long prefillPassTokens, long contextTokens) {
        return perDeviceBytes(batch, batch, prefillPassTokens, contextTokens);
    }

    /**
     * {@code estimate(w).perDeviceBytes()} for a workload of {@code batch} sequences, prefilled
     * {@code prefillPassSequences} sequences of {@code prefillPassTokens} tokens at a time (see
     * {@link Workload#prefillPassSequences()}), reaching {@code contextTokens}.
     *
     * @param batch sequences per replica
     * @param prefillPassSequences sequences per prefill forward pass
     * @param prefillPassTokens prompt tokens of each of them per forward pass
     * @param contextTokens tokens each sequence reaches
     * @return bytes on the most loaded device
     */
    public long perDeviceBytes(long batch, long prefillPassSequences, long prefillPassTokens, long contextTokens) {
        try {
            if (stageWeights == null) {
                long activations = Math.max(
                        prefillActivations(prefillPassSequences, prefillPassTokens, 1), decodeActivations(batch, 1));
                return InferenceMemoryTerms.total(
                        wholeWeights,
                        KvCache.bytes(spec, precision.kvCache(), contextTokens, batch),
                        activations,
                        runtimeOverheadBytes);
            }
            long[] kv = KvCache.perStageBytes(spec, precision.kvCache(), contextTokens, batch, parallelism);
            long activations = shardedActivations(batch, prefillPassSequences, prefillPassTokens);
            int s = worstStage(kv, activations);
            return InferenceMemoryTerms.total(stageWeights[s], kv[s], activations, runtimeOverheadBytes);
        } catch (ArithmeticException e) {
            throw tooLarge(batch);
        }
    }

    /** The pipeline stage with the most bytes (the first of equals), each stage's total checked to fit a long. */
    private int worstStage(long[] kv, long activations) {
        int worst = 0;
        long max = -1;
        for (int s = 0; s < stageWeights.length; s++) {
            long total = InferenceMemoryTerms.total(stageWeights[s], kv[s], activations, runtimeOverheadBytes);
            if (total > max) {
                max = total;
                worst = s;
            }
        }
        return worst;
    }

    /** Peak activations of a prefill pass of {@code sequences x prefillPassTokens} tokens on one of {@code tp} ranks. */
    private long prefillActivations(long sequences, long prefillPassTokens, int tp) {
        return Activations.inferencePeakBytes(
                spec, Math.multiplyExact(sequences, prefillPassTokens), sequences, tp, precision.activations());
    }

    /** Peak activations of a decode step of {@code batch} tokens on one of {@code tp} ranks. */
    private long decodeActivations(long batch, int tp) {
        return Activations.inferencePeakBytes(spec, batch, batch, tp, precision.activations());
    }

    /** The larger of a prefill pass's and a decode step's activations on one tensor-parallel rank. */
    private long shardedActivations(long batch, long passSequences, long prefillPassTokens) {
        int tp = parallelism.tensor();
        return Math.max(prefillActivations(passSequences, prefillPassTokens, tp), decodeActivations(batch, tp));
    }

    private static InvalidFieldException tooLarge(long batch) {
        return new InvalidFieldException(
                "batch", batch, "a workload whose byte counts fit in a 64-bit integer (reduce batch or tokens)");
    }
}
