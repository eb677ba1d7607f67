package dev.strata.estimator.memory;

import dev.strata.model.Attention;
import dev.strata.model.DenseMlp;
import dev.strata.model.FeedForward;
import dev.strata.model.InvalidFieldException;
import dev.strata.model.LatentAttention;
import dev.strata.model.LayerGroup;
import dev.strata.model.LayerKind;
import dev.strata.model.LinearAttention;
import dev.strata.model.MixtureOfExperts;
import dev.strata.model.Mlp;
import dev.strata.model.MultiHeadAttention;
import dev.strata.model.NoFeedForward;
import dev.strata.model.NoMixer;
import dev.strata.model.Norms;
import dev.strata.model.NumericFormat;
import dev.strata.model.Recompute;
import dev.strata.model.SelectiveStateSpaceMixer;
import dev.strata.model.StateSpaceMixer;
import dev.strata.model.TransformerSpec;
import dev.strata.model.internal.Checks;
import dev.strata.model.internal.Limits;
import dev.strata.model.internal.WholeNumbers;

/**
 * Activation memory: what training stores for the backward pass, and the peak working set of inference.
 *
 * <h2>Training (Korthikanti et al. 2022, arXiv:2205.05198 §4 and Table 2)</h2>
 * Per layer, for s tokens per sequence, micro-batch b, tensor-parallel degree t and activations of {@code α} bytes,
 * the tensors the backward pass needs, grouped as Korthikanti §4.1 groups them:
 * <ul>
 *   <li>replicated over the tensor-parallel ranks (split by t under sequence parallelism): the input of every norm,
 *       the input of the QKV projection and of the MLP ({@code α} each per hidden element), and the two dropout masks
 *       after attention and MLP (1 byte per hidden element);</li>
 *   <li>split by t: Q and K (for QK^T), V, the input of the output projection, and the MLP's intermediates (dense:
 *       activation-function input and output; gated: gate, up, act(gate) and their product);</li>
 *   <li>split by t, and dropped by selective recomputation: per head and key, the softmax output ({@code α}), the
 *       attention-dropout mask (1) and the dropout output ({@code α}).</li>
 * </ul>
 * For a GPT layer (two LayerNorms, MHA with heads x headDim = h, 4h GELU MLP, dropout, 16-bit) this is exactly
 * Table 2: {@code sbh(34 + 5as/h)} without parallelism, {@code sbh(10 + 24/t + 5as/(ht))} with tensor parallelism,
 * {@code sbh/t (34 + 5as/h)} with sequence parallelism too, {@code sbh(10 + 24/t)} and {@code 34 sbh/t} with selective
 * recomputation, and {@code 2sbh} with full recomputation (only each layer's input is kept; split by t under sequence
 * parallelism). Other shapes use the same accounting with their own widths (GQA's narrower K and V, SwiGLU's four
 * intermediates, MLA's latents, MoE: router logits and each token's shared + top-k expert copies).
 *
 * <h2>Inference</h2>
 * Nothing is kept for a backward pass, so the peak is the residual stream plus the larger of two working sets: one
 * layer's (the larger of its attention and MLP sets) for the tokens of one forward pass, and the output head's (the
 * final norm's output and the logits of the last position of every sequence, {@link #inferenceLogitBytes}: the head's
 * output and its fp32 copy), which runs after the last layer has freed its own. Attention scores are assumed never to be materialised (FlashAttention, Dao et al. 2022,
 * arXiv:2205.14135), which is what serving engines use.
 */
public final class Activations {
    private Activations() {}

    /** Bytes per element of the dropout masks (one byte per element, Korthikanti §4.1). */
    public static final int DROPOUT_MASK_BYTES = 1;
    /** Bytes of each logit kept for the loss (training) or sampling (inference): fp32. */
    public static final int LOGIT_BYTES = 4;

    /**
     * Bytes one last-position logit takes at the peak of an inference forward pass: the output head writes it in the
     * activation format and generation casts it to fp32 for sampling while the head's output is still alive (Hugging
     * Face transformers' {@code generate}: {@code outputs.logits[:, -1, :].to(copy=True, dtype=torch.float32)}; older
     * causal-LM heads cast every position with {@code logits.float()}), so {@code activation bytes + 4}; fp32
     * activations need no copy, 4. Where a run computes the logits of every prompt position, or a library needs more
     * at the peak of the product (bf16 products computed in fp32 on a CPU), use
     * {@link #inferencePeakBytes(TransformerSpec, long, long, int, NumericFormat, double)} with the bytes it needs.
     *
     * @param activations the activation format
     * @return bytes per logit
     */
    public static long inferenceLogitBytes(NumericFormat activations) {
        long alpha = elementBytes(activations);
        return alpha >= LOGIT_BYTES ? alpha : alpha + LOGIT_BYTES;
    }

    /**
     * Activation bytes one layer stores for the backward pass (Korthikanti et al. 2022 Table 2, generalised as in the
     * class comment), for {@code sequenceTokens x microBatch} tokens on one of {@code tp} tensor-parallel ranks.
     *
     * @param kind the layer's kind
     * @param hidden the hidden size
     * @param norms the model's norms
     * @param sequenceTokens tokens per sequence
     * @param microBatch sequences per micro-batch
     * @param tp tensor-parallel ranks
     * @param sequenceParallel whether Megatron sequence parallelism splits the norm and dropout activations too
     * @param recompute the activation recomputation mode
     * @param activations the activation format
     * @param dropout whether the model trains with dropout (Korthikanti's accounting does; most current LLMs do not)
     * @return bytes on one rank
     */
    public static long trainingLayerBytes(
            LayerKind kind,
            long hidden,
            Norms norms,
            long sequenceTokens,
            long microBatch,
            int tp,
            boolean sequenceParallel,
            Recompute recompute,
            NumericFormat activations,
            boolean dropout) {
        Checks.range("sequenceTokens", sequenceTokens, 1, Limits.MAX_CONTEXT);
        Checks.range("microBatch", microBatch, 1, Long.MAX_VALUE);
        Checks.range("tp", tp, 1, Integer.MAX_VALUE);
        long alpha = elementBytes(activations);
        long tokens = Math.multiplyExact(sequenceTokens, microBatch);
        int seqSplit = sequenceParallel ? tp : 1;
        // only the layer input (Table 2, "full activation recompute": 2sbh)
        if (recompute == Recompute.FULL)
            return WholeNumbers.ceilDiv(Math.multiplyExact(tokens, alpha * hidden), seqSplit);
        long replicated = replicatedBytesPerToken(kind, hidden, norms, alpha, dropout);
        long split = splitBytesPerToken(kind, hidden, alpha);
        long scores = recompute == Recompute.SELECTIVE
                ? 0
                : scoreBytesPerToken(kind.attention(), sequenceTokens, alpha, dropout);
        // tokens x (replicated / seqSplit + (split + scores) / tp), with one division at the end
        long perTokenTimesTp =
                Math.addExact(Math.multiplyExact(replicated, (long) (tp / seqSplit)), Math.addExact(split, scores));
        return WholeNumbers.ceilDiv(Math.multiplyExact(tokens, perTokenTimesTp), tp);
    }

    /**
     * Bytes per token kept on every tensor-parallel rank: norm inputs, QKV input, MLP input ({@code α} per element),
     * two dropout masks, MLA's latents and MoE router logits.
     */
    static long replicatedBytesPerToken(LayerKind kind, long hidden, Norms norms, long alpha, boolean dropout) {
        long elements = (norms.perLayer() + 2L) * hidden;
        // inputs of the latent norms and of q_b / kv_b
        if (kind.attention() instanceof LatentAttention mla) elements += 2L * (mla.qLoraRank() + mla.kvLoraRank());
        if (kind.feedForward() instanceof MixtureOfExperts moe) elements += moe.routedExperts();
        return elements * alpha + (dropout ? 2L * hidden * DROPOUT_MASK_BYTES : 0);
    }

    /** Bytes per token split over the tensor-parallel ranks: Q, K, V, the output-projection input and the MLP intermediates. */
    static long splitBytesPerToken(LayerKind kind, long hidden, long alpha) {
        Attention a = kind.attention();
        long mixer = mixerBytesPerTokenElements(a);
        if (mixer >= 0) return (mixer + mlpIntermediates(kind.feedForward(), hidden)) * alpha;
        long kvWidth =
                a instanceof MultiHeadAttention mha ? mha.kvWidth() : a.queryWidth(); // MLA: per-head K after kv_b
        long valueWidth = a instanceof MultiHeadAttention mha ? mha.kvWidth() : (long) a.heads() * a.valueHeadDim();
        long outputInput = (long) a.heads() * a.valueHeadDim();
        long query = a instanceof MultiHeadAttention mha ? mha.queryProjectionWidth() : a.queryWidth(); // with the gate
        long elements = query + kvWidth + valueWidth + outputInput + mlpIntermediates(kind.feedForward(), hidden);
        // a recurrent mixer beside the attention keeps its own working set (0 for none)
        return (elements + mixerBytesPerTokenElements(kind.parallelMixer())) * alpha;
    }

    /**
     * Elements a linear-attention or state-space mixer keeps per token for the backward pass: its input projection's
     * output, the convolution's output and the input of its output projection (the state itself is recomputed by the
     * chunked kernels); 0 for a layer without a mixer; -1 for attention, counted by Korthikanti's terms.
     */
    static long mixerBytesPerTokenElements(Attention a) {
        if (a instanceof LinearAttention lin)
            return 2 * lin.keyWidth()
                    + 2 * lin.valueWidth()
                    + 2L * lin.valueHeads()
                    + lin.convChannels()
                    + lin.valueWidth();
        if (a instanceof StateSpaceMixer ssm) return ssm.inputProjectionWidth() + ssm.convChannels() + ssm.innerWidth();
        if (a
                instanceof
                SelectiveStateSpaceMixer m) // in_proj output, convolution output, x_proj and dt_proj outputs, y
        return 2L * m.innerWidth() + m.innerWidth() + m.dtRank() + 2L * m.stateSize() + 2L * m.innerWidth();
        if (a instanceof NoMixer) return 0;
        return -1;
    }

    /** MLP intermediates kept per token: dense 2f (activation input and output), gated 4f, MoE per routed copy. */
    static long mlpIntermediates(FeedForward ff, long hidden) {
        if (ff instanceof NoFeedForward) return 0;
        if (ff instanceof Mlp mlp) return (mlp instanceof DenseMlp ? 2L : 4L) * mlp.intermediateSize();
        MixtureOfExperts moe = (MixtureOfExperts) ff;
        // every token is copied to each of its experts (input) and goes through the expert's MLP
        return moe.topK() * (hidden + mlpIntermediates(moe.expert(), hidden))
                + moe.sharedExperts() * (hidden + mlpIntermediates(moe.sharedExpert(), hidden));
    }

    /** Bytes per token of the attention core: per head and key, softmax output, dropout mask and dropout output. */
    static long scoreBytesPerToken(Attention a, long keys, long alpha, boolean dropout) {
        if (!a.cachesKeys()) return 0; // no scores over the keys
        long perScore = dropout ? 2 * alpha + DROPOUT_MASK_BYTES : alpha;
        return Math.multiplyExact(Math.multiplyExact((long) a.heads(), keys), perScore);
    }

    /**
     * Activation bytes of the output layer in training for {@code tokens} tokens on one rank: the final norm's input and
     * the head's input ({@code α} per hidden element, split by t only under sequence parallelism) and the fp32
     * logits kept for the cross-entropy (split by vocabulary over t). Not part of Korthikanti's Table 2, which covers
     * the transformer layers only.
     *
     * @param spec the model
     * @param tokens tokens of the micro-batch
     * @param tp tensor-parallel ranks
     * @param sequenceParallel whether Megatron sequence parallelism is on
     * @param activations the activation format
     * @return bytes on one rank
     */
    public static long trainingOutputLayerBytes(
            TransformerSpec spec, long tokens, int tp, boolean sequenceParallel, NumericFormat activations) {
        long alpha = elementBytes(activations);
        long hidden = WholeNumbers.ceilDiv(
                Math.multiplyExact(tokens, 2 * alpha * spec.hiddenSize()), sequenceParallel ? tp : 1);
        long logits = Math.multiplyExact(tokens, LOGIT_BYTES * WholeNumbers.ceilDiv(spec.vocabSize(), tp));
        return Math.addExact(hidden, logits);
    }

    /**
     * Peak activation bytes of one inference forward pass on one of {@code tp} ranks: {@code tokens} tokens in the
     * pass (batch x prompt or chunk tokens for prefill, batch for decoding) and {@code sequences} sequences whose last
     * position's logits are computed ({@link #inferenceLogitBytes} each). The residual stream plus the larger of a
     * layer's working set and the head's: per token, the larger of the attention working set (normed input, Q, K, V,
     * attention output; split by t) and the MLP working set (normed input and intermediates: dense up output and
     * activation, gated gate, up and product; MoE per routed copy), scores not materialised (FlashAttention); the head
     * holds the final norm's output and the logits (measured on an H100: summing the layer's set and the logits
     * over-counted the prefill peak of a 1B model by 11 %).
     *
     * @param spec the model
     * @param tokens tokens in the forward pass
     * @param sequences sequences whose last position's logits are computed
     * @param tp tensor-parallel ranks
     * @param activations the activation format
     * @return bytes on one rank
     */
    public static long inferencePeakBytes(
            TransformerSpec spec, long tokens, long sequences, int tp, NumericFormat activations) {
        return inferencePeakBytes(spec, tokens, sequences, tp, activations, inferenceLogitBytes(activations));
    }

    /**
     * {@link #inferencePeakBytes(TransformerSpec, long, long, int, NumericFormat)} with the logits of
     * {@code logitPositions} positions at {@code bytesPerLogit} each (at the product's peak: the head's output and
     * whatever the library or the caller holds beside it), rounded up to a whole byte.
     *
     * @param spec the model
     * @param tokens tokens in the forward pass
     * @param logitPositions positions whose logits are computed
     * @param tp tensor-parallel ranks
     * @param activations the activation format
     * @param bytesPerLogit bytes each logit takes at the peak
     * @return bytes on one rank
     */
    public static long inferencePeakBytes(
            TransformerSpec spec,
            long tokens,
            long logitPositions,
            int tp,
            NumericFormat activations,
            double bytesPerLogit) {
        Checks.positive("bytesPerLogit", bytesPerLogit, 64);
        long alpha = elementBytes(activations);
        long hidden = spec.hiddenSize();
        long worst = 0;
        for (LayerGroup g : spec.layers()) {
            LayerKind kind = g.kind();
            Attention a = kind.attention();
            long mixer = mixerBytesPerTokenElements(a); // a linear-attention or state-space mixer's working set
            long attention = mixer >= 0
                    ? mixer
                    : a instanceof MultiHeadAttention mha
                            ? mha.queryProjectionWidth()
                                    + 2 * Sharding.kvHeadsPerDevice(mha, tp) * mha.headDim() * tp
                                    + a.queryWidth()
                            : 2 * a.queryWidth() + 2L * a.heads() * a.valueHeadDim();
            attention += mixerBytesPerTokenElements(kind.parallelMixer()); // a parallel mixer's set, 0 for none
            long latent = a instanceof LatentAttention mla ? mla.qLoraRank() + (long) mla.cachedWidth() : 0;
            long attentionSet = hidden + latent + WholeNumbers.ceilDiv(attention, tp);
            long mlpSet = hidden
                    + WholeNumbers.ceilDiv(inferenceMlpIntermediates(kind.feedForward(), hidden), tp)
                    + (kind.feedForward() instanceof MixtureOfExperts moe ? moe.routedExperts() : 0);
            worst = Math.max(worst, Math.max(attentionSet, mlpSet));
        }
        long residual = Math.multiplyExact(Math.multiplyExact(tokens, hidden), alpha);
        long layer = Math.multiplyExact(Math.multiplyExact(tokens, worst), alpha);
        double logitBytes =
                Math.ceil((double) Math.multiplyExact(logitPositions, WholeNumbers.ceilDiv(spec.vocabSize(), tp))
                        * bytesPerLogit);
        if (logitBytes >= Long.MAX_VALUE) throw new ArithmeticException("logit bytes overflow a long");
        // the head runs after the last layer has freed its working set: its peak is the final norm's output and the
        // logits
        long head = Math.addExact(residual, (long) logitBytes);
        return Math.addExact(residual, Math.max(layer, head));
    }

    /** MLP intermediates alive at once in inference: dense up output and activation (2f), gated gate, up, product (3f). */
    static long inferenceMlpIntermediates(FeedForward ff, long hidden) {
        if (ff instanceof NoFeedForward) return 0;
        if (ff instanceof Mlp mlp) return (mlp instanceof DenseMlp ? 2L : 3L) * mlp.intermediateSize();
        MixtureOfExperts moe = (MixtureOfExperts) ff;
        return moe.topK() * (hidden + inferenceMlpIntermediates(moe.expert(), hidden))
                + moe.sharedExperts() * (hidden + inferenceMlpIntermediates(moe.sharedExpert(), hidden));
    }

    /** Whole bytes per element of an activation format (fp32 4, bf16/fp16 2, fp8 1). */
    static long elementBytes(NumericFormat activations) {
        if (activations.bits() % 8 != 0 || activations.groupSize() != 0)
            throw new InvalidFieldException(
                    "precision.activations",
                    activations.id(),
                    "a format of whole bytes per element (fp32, bf16, fp16, fp8)");
        return activations.bits() / 8;
    }
}
