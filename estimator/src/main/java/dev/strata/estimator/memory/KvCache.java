package dev.strata.estimator.memory;

import dev.strata.model.Attention;
import dev.strata.model.LatentAttention;
import dev.strata.model.LayerGroup;
import dev.strata.model.LayerKind;
import dev.strata.model.MultiHeadAttention;
import dev.strata.model.NumericFormat;
import dev.strata.model.Parallelism;
import dev.strata.model.RecurrentMixer;
import dev.strata.model.TransformerSpec;
import dev.strata.model.internal.Checks;
import dev.strata.model.internal.Limits;
import dev.strata.model.internal.WholeNumbers;

/**
 * Bytes of the key/value cache (docs/formulas.md, "KV cache").
 *
 * <ul>
 *   <li>Multi-head, grouped-query and multi-query attention keep K and V of every key/value head:
 *       {@code 2 x kvHeads x headDim} elements per token and layer (Ainslie et al. 2023, arXiv:2305.13245 §2).
 *       Llama-3-8B in bf16: 2 x 32 layers x 8 x 128 x 2 bytes = 131,072 bytes per token.</li>
 *   <li>Multi-head latent attention keeps the compressed latent and the shared rotary key:
 *       {@code kvLoraRank + qkRopeHeadDim} elements per token and layer (DeepSeek-V2, arXiv:2405.04434 §2.1.2 and
 *       Table 1; DeepSeek-V3, arXiv:2412.19437 §2.1.1).</li>
 *   <li>DeepSeek sparse attention also caches one index key of {@code indexHeadDim} per token and layer.</li>
 *   <li>Linear-attention and state-space layers keep a state of fixed size per sequence instead
 *       ({@link #stateBytesPerSequence}).</li>
 *   <li>A sliding-window layer holds at most {@code window} tokens (Mistral 7B, arXiv:2310.06825 §2 "Rolling buffer
 *       cache"), so hybrids of local and global layers (Gemma 2) are exact.</li>
 * </ul>
 * Elements are stored in the cache's own format; block formats are counted per token and layer over the K (or V)
 * vector ({@link NumericFormat#bytesFor}), i.e. groups along the head dimension.
 */
public final class KvCache {
    private KvCache() {}

    /**
     * Bytes one token adds to the cache of one layer of {@code kind}.
     *
     * @param kind the layer's kind
     * @param kv the cache's format
     * @return bytes per token
     */
    public static long bytesPerTokenPerLayer(LayerKind kind, NumericFormat kv) {
        return bytesPerTokenPerLayer(kind.attention(), kv, 1);
    }

    /**
     * Bytes one token adds to one layer's cache on one of {@code tp} tensor-parallel ranks (MLA's latent is
     * replicated).
     *
     * @param a the layer's mixer
     * @param kv the cache's format
     * @param tp tensor-parallel ranks
     * @return bytes per token on one rank
     */
    public static long bytesPerTokenPerLayer(Attention a, NumericFormat kv, int tp) {
        if (a instanceof MultiHeadAttention mha)
            return 2 * kv.bytesFor(Sharding.kvHeadsPerDevice(mha, tp) * mha.headDim());
        if (a instanceof LatentAttention mla)
            return kv.bytesFor(mla.cachedWidth()) + indexBytesPerTokenPerLayer(mla, kv);
        return 0; // linear-attention and state-space mixers keep a state of fixed size instead
    }

    /**
     * Bytes of the index key DeepSeek sparse attention's indexer caches per token and layer (indexHeadDim elements, in
     * the cache's format), part of {@link #bytesPerTokenPerLayer}; 0 without an indexer. Replicated over
     * tensor-parallel ranks, as MLA's latent is.
     *
     * @param a the layer's mixer
     * @param kv the cache's format
     * @return bytes per token
     */
    public static long indexBytesPerTokenPerLayer(Attention a, NumericFormat kv) {
        return a instanceof LatentAttention mla && mla.hasIndexer() ? kv.bytesFor(mla.indexHeadDim()) : 0;
    }

    /** Bytes of a recurrent state element: fp32, as the Gated DeltaNet and Mamba kernels keep it. */
    public static final int STATE_ELEMENT_BYTES = 4;

    /**
     * Bytes of the state one sequence keeps in one layer of {@code a} on one of {@code tp} ranks, whatever the context:
     * the recurrent state in fp32 ({@link #STATE_ELEMENT_BYTES}; Nemotron-H's mamba_ssm_cache_dtype) and the last
     * {@code kernel - 1} inputs of the causal convolution in the cache's format (what vLLM's mamba cache holds). Gated
     * DeltaNet: valueHeads x keyHeadDim x valueHeadDim and (2 keys + values) x (kernel - 1); Mamba-2: heads x headDim x
     * stateSize and (inner + 2 groups x stateSize) x (kernel - 1). Heads, and the convolution's channels, split over
     * tensor-parallel ranks. 0 for attention, whose cache grows per token ({@link #bytesPerTokenPerLayer}).
     *
     * @param a the layer's mixer
     * @param kv the cache's format (of the convolution's inputs)
     * @param tp tensor-parallel ranks
     * @return bytes per sequence on one rank
     */
    public static long stateBytesPerSequence(Attention a, NumericFormat kv, int tp) {
        if (!(a instanceof RecurrentMixer m)) return 0;
        long state = m.recurrentStateElements();
        long conv = m.convChannels() * (m.convKernel() - 1);
        return Math.addExact(
                Math.multiplyExact(WholeNumbers.ceilDiv(state, tp), (long) STATE_ELEMENT_BYTES),
                kv.bytesFor(WholeNumbers.ceilDiv(conv, tp)));
    }

    /**
     * Bytes of the state one sequence keeps in one layer of {@code kind}: its mixer's and a parallel mixer's.
     *
     * @param kind the layer's kind
     * @param kv the cache's format
     * @param tp tensor-parallel ranks
     * @return bytes per sequence on one rank
     */
    public static long stateBytesPerSequence(LayerKind kind, NumericFormat kv, int tp) {
        return Math.addExact(
                stateBytesPerSequence(kind.attention(), kv, tp), stateBytesPerSequence(kind.parallelMixer(), kv, tp));
    }

    /**
     * Bytes of the state one sequence keeps in all the layers (0 for a model of attention layers only).
     *
     * @param spec the model
     * @param kv the cache's format
     * @return bytes per sequence
     */
    public static long stateBytesPerSequence(TransformerSpec spec, NumericFormat kv) {
        long s = 0;
        for (LayerGroup g : spec.layers())
            s = Math.addExact(s, Math.multiplyExact(stateBytesPerSequence(g.kind(), kv, 1), (long) g.count()));
        return s;
    }

    /**
     * Bytes one token of context adds to the whole cache while the context is shorter than every sliding window:
     * the sum over the layers of {@link #bytesPerTokenPerLayer}.
     *
     * @param spec the model
     * @param kv the cache's format
     * @return bytes per token
     */
    public static long bytesPerToken(TransformerSpec spec, NumericFormat kv) {
        long s = 0;
        for (LayerGroup g : spec.layers())
            s = Math.addExact(s, Math.multiplyExact(bytesPerTokenPerLayer(g.kind(), kv), (long) g.count()));
        return s;
    }

    /**
     * Bytes of the cache of {@code batch} sequences at {@code contextTokens} tokens each: every layer holds
     * {@code min(contextTokens, window)} tokens (all of them for global layers).
     *
     * @param spec the model
     * @param kv the cache's format
     * @param contextTokens tokens of each sequence
     * @param batch sequences
     * @return bytes
     */
    public static long bytes(TransformerSpec spec, NumericFormat kv, long contextTokens, long batch) {
        Checks.range("contextTokens", contextTokens, 0, Limits.MAX_CONTEXT);
        Checks.range("batch", batch, 1, Long.MAX_VALUE);
        long s = 0; // perStageBytes with one stage, without its array: a sweep asks this once per point
        for (LayerGroup g : spec.layers())
            s = Math.addExact(
                    s, Math.multiplyExact(layerBytesPerSequence(g.kind(), kv, contextTokens, 1), (long) g.count()));
        return Math.multiplyExact(s, batch);
    }

    /**
     * Bytes of the cache on the most loaded device under tensor and pipeline parallelism ({@code batch} per replica).
     *
     * @param spec the model
     * @param kv the cache's format
     * @param contextTokens tokens of each sequence
     * @param batch sequences per replica
     * @param par how the model is split over devices
     * @return bytes on the most loaded device
     */
    public static long perDeviceBytes(
            TransformerSpec spec, NumericFormat kv, long contextTokens, long batch, Parallelism par) {
        long max = 0;
        for (long b : perStageBytes(spec, kv, contextTokens, batch, par)) max = Math.max(max, b);
        return max;
    }

    static long[] perStageBytes(
            TransformerSpec spec, NumericFormat kv, long contextTokens, long batch, Parallelism par) {
        Checks.range("contextTokens", contextTokens, 0, Limits.MAX_CONTEXT);
        Checks.range("batch", batch, 1, Long.MAX_VALUE);
        Sharding.check(spec, par);
        long[] stages = Sharding.perStage(
                spec, par.pipeline(), kind -> layerBytesPerSequence(kind, kv, contextTokens, par.tensor()));
        for (int s = 0; s < stages.length; s++) stages[s] = Math.multiplyExact(stages[s], batch);
        return stages;
    }

    /**
     * Bytes one layer of {@code kind} caches for one sequence at {@code contextTokens} on one of {@code tp} ranks: its
     * keys and values, or its fixed state.
     */
    private static long layerBytesPerSequence(LayerKind kind, NumericFormat kv, long contextTokens, int tp) {
        return Math.addExact(
                Math.multiplyExact(bytesPerTokenPerLayer(kind.attention(), kv, tp), tokensHeld(kind, contextTokens)),
                stateBytesPerSequence(kind, kv, tp));
    }

    /**
     * Tokens a layer keeps: the context, capped at the window of a sliding-window layer.
     *
     * @param kind the layer's kind
     * @param contextTokens tokens of the sequence
     * @return tokens held
     */
    public static long tokensHeld(LayerKind kind, long contextTokens) {
        return kind.isSliding() ? Math.min(contextTokens, kind.slidingWindow()) : contextTokens;
    }

    /**
     * What the cache would take per token if latent attention cached its keys and values per head, as standard
     * multi-head attention does: {@code heads x (qkNopeHeadDim + qkRopeHeadDim + vHeadDim)} elements per layer (the
     * "naive" figure MLA is compared with in DeepSeek-V2 §2.1.2). Equal to {@link #bytesPerToken} for other layers.
     *
     * @param spec the model
     * @param kv the cache's format
     * @return bytes per token
     */
    public static long perHeadBytesPerToken(TransformerSpec spec, NumericFormat kv) {
        long s = 0;
        for (LayerGroup g : spec.layers()) {
            long one = g.kind().attention() instanceof LatentAttention mla
                    ? kv.bytesFor((long) mla.heads() * (mla.scoreHeadDim() + mla.vHeadDim()))
                    : bytesPerTokenPerLayer(g.kind(), kv);
            s = Math.addExact(s, Math.multiplyExact(one, (long) g.count()));
        }
        return s;
    }
}
