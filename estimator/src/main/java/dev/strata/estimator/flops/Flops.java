package dev.strata.estimator.flops;

import static dev.strata.estimator.flops.FlopComponent.*;

import dev.strata.estimator.params.Parameters;
import dev.strata.model.Attention;
import dev.strata.model.LatentAttention;
import dev.strata.model.LayerGroup;
import dev.strata.model.LayerKind;
import dev.strata.model.Recompute;
import dev.strata.model.RecurrentMixer;
import dev.strata.model.TransformerSpec;
import dev.strata.model.internal.Checks;
import dev.strata.model.internal.Limits;

/**
 * FLOPs of the forward pass, prefill, decoding and training, as named terms.
 *
 * <p>Convention (docs/formulas.md, "FLOPs"): 2 FLOPs per multiply-accumulate of every matrix product; a linear layer
 * {@code in -> out} costs {@code 2 x in x out} per token (Kaplan et al. 2020, arXiv:2001.08361 §2.1, Table 1). The
 * matrix shapes come from {@link Parameters#forEachMatrix}, so FLOPs and parameter counts cannot disagree; biases,
 * norms and element-wise work are not counted. Mixture-of-experts layers count the router and the experts a token
 * is sent to (shared + top-k), never the idle ones. Multi-head latent attention is counted in its training form
 * (DeepSeek-V2, arXiv:2405.04434 §2.1.2): the up-projections run once per token and the scores use
 * {@code qkNopeHeadDim + qkRopeHeadDim} per head; engines that absorb the up-projections into the query at
 * inference trade those FLOPs for scores over the latent, which is not modelled here.
 *
 * <p>Attention of a token at context position t (attending to t keys, itself included) costs
 * {@code 2 x heads x scoreHeadDim x keys} for the scores and {@code 2 x heads x valueHeadDim x keys} for the weighted
 * sum, with {@code keys = min(t, window)} on sliding-window layers. How several queries of one sequence are counted
 * (prefill, training) is the {@link FlopsConvention}'s {@link AttentionMask}.
 */
public final class Flops {
    private Flops() {}

    /**
     * FLOPs of a linear layer {@code in -> out} for one token: 2 x in x out (2 per multiply-accumulate).
     *
     * @param in input features
     * @param out output features
     * @return FLOPs per token
     */
    public static double linear(long in, long out) {
        return 2.0 * in * out;
    }

    /**
     * Score FLOPs per (query, key) pair of one layer: 2 x heads x score head size (Q K^T, Vaswani et al. 2017 eq. 1);
     * 0 for a mixer without a key cache.
     *
     * @param a the layer's mixer
     * @return FLOPs per (query, key) pair
     */
    public static double attentionScoresPerKey(Attention a) {
        return a.cachesKeys() ? 2.0 * a.heads() * a.scoreHeadDim() : 0;
    }

    /**
     * Weighted-sum FLOPs per (query, key) pair of one layer: 2 x heads x value head size (softmax(.) V); 0 likewise.
     *
     * @param a the layer's mixer
     * @return FLOPs per (query, key) pair
     */
    public static double attentionWeightedSumPerKey(Attention a) {
        return a.cachesKeys() ? 2.0 * a.heads() * a.valueHeadDim() : 0;
    }

    /**
     * Softmax FLOPs per (query, key) pair of one layer: 3 x heads (Chinchilla App. F: "3 x num_heads x seq_len^2").
     *
     * @param a the layer's mixer
     * @return FLOPs per (query, key) pair
     */
    public static double softmaxPerKey(Attention a) {
        return a.cachesKeys() ? 3.0 * a.heads() : 0;
    }

    /**
     * FLOPs per token of a mixer's recurrence: its depthwise convolution (2 x channels x kernel) and, per head, the
     * state update and read. Gated DeltaNet (arXiv:2412.06464 §3: S_t = S_{t-1} a_t (I - b_t k_t k_t^T) + b_t v_t
     * k_t^T, o_t = S_t q_t): k^T S, the rank-one update and q^T S, each 2 per state element, 6 x valueHeads x
     * keyHeadDim x valueHeadDim. Mamba-2 (arXiv:2405.21060 §2, h_t = A_t h_{t-1} + B_t x_t, y_t = C_t^T h_t): the
     * decay, B x and C h, 6 x heads x headDim x stateSize. 0 for attention, which is counted per (query, key) pair.
     *
     * @param a the layer's mixer
     * @return FLOPs per token
     */
    public static double recurrencePerToken(Attention a) {
        if (!(a instanceof RecurrentMixer m)) return 0;
        return 2.0 * m.convChannels() * m.convKernel() + 6.0 * m.recurrentStateElements();
    }

    /**
     * FLOPs per token of the recurrences of one layer: its mixer's and a parallel mixer's.
     *
     * @param kind the layer's kind
     * @return FLOPs per token
     */
    public static double recurrencePerToken(LayerKind kind) {
        return recurrencePerToken(kind.attention()) + recurrencePerToken(kind.parallelMixer());
    }

    /**
     * Embedding FLOPs per token: 2 x vocab x hidden as a one-hot product (Chinchilla App. F), else 0 (a lookup).
     *
     * @param spec the model
     * @param c the counting convention
     * @return FLOPs per token
     */
    public static double embeddingPerToken(TransformerSpec spec, FlopsConvention c) {
        return c.embeddingMatmul() ? linear(spec.vocabSize(), spec.hiddenSize()) : 0;
    }

    /**
     * Output-logit FLOPs per token: 2 x hidden x vocab (Kaplan Table 1 "De-embed"; Chinchilla App. F "final logits").
     *
     * @param spec the model
     * @return FLOPs per token
     */
    public static double outputLogitsPerToken(TransformerSpec spec) {
        return linear(spec.hiddenSize(), spec.vocabSize());
    }

    /**
     * Keys attended by a layer, summed over the {@code tokens} queries of one sequence processed from its start.
     * Full: every query against {@code min(tokens, window)} keys. Causal: query t against {@code min(t, window)},
     * summed in closed form: {@code T(T+1)/2} without a window.
     *
     * @param tokens queries of the sequence, from its first token
     * @param window 0 for global attention
     * @param mask full or causal counting
     * @return the number of (query, key) pairs
     */
    public static double keysAttended(long tokens, long window, AttentionMask mask) {
        if (mask == AttentionMask.FULL) return (double) tokens * (window > 0 ? Math.min(tokens, window) : tokens);
        return causalKeys(tokens, window);
    }

    /** Sum over t = 1..n of min(t, window): the keys attended by the first n tokens of a sequence, one at a time. */
    static double causalKeys(long n, long window) {
        double t = n;
        if (window <= 0 || n <= window) return t * (t + 1) / 2;
        double w = window;
        return w * (w + 1) / 2 + (t - w) * w;
    }

    /**
     * Forward FLOPs of one token that attends to {@code contextTokens} keys (its own position included): the per-token
     * cost of a sequence at that context (Kaplan's {@code C_forward} at {@code n_ctx}).
     *
     * @param spec the model
     * @param contextTokens keys the token attends to, its own included
     * @param c the counting convention
     * @return FLOPs by term
     */
    public static FlopsBreakdown forwardPerToken(TransformerSpec spec, long contextTokens, FlopsConvention c) {
        Checks.range("contextTokens", contextTokens, 1, Limits.MAX_CONTEXT);
        double[] t = FlopsBreakdown.newTerms();
        addPerTokenTerms(spec, c, 1, t);
        for (LayerGroup g : spec.layers())
            addAttention(g, c, w -> w > 0 ? Math.min(contextTokens, w) : contextTokens, t);
        return new FlopsBreakdown(t);
    }

    /**
     * FLOPs to prefill {@code batch} prompts of {@code promptTokens} tokens each (one forward pass over every prompt
     * token), attention counted by {@code c.mask()}.
     *
     * @param spec the model
     * @param promptTokens tokens of each prompt
     * @param batch number of prompts
     * @param c the counting convention
     * @return FLOPs by term, for the whole batch
     */
    public static FlopsBreakdown prefill(TransformerSpec spec, long promptTokens, long batch, FlopsConvention c) {
        Checks.range("promptTokens", promptTokens, 1, Limits.MAX_CONTEXT);
        Checks.range("batch", batch, 1, Long.MAX_VALUE);
        double[] t = FlopsBreakdown.newTerms();
        addPerTokenTerms(spec, c, (double) promptTokens, t);
        for (LayerGroup g : spec.layers()) addAttention(g, c, w -> keysAttended(promptTokens, w, c.mask()), t);
        return new FlopsBreakdown(t).times(batch);
    }

    /**
     * Decode FLOPs per generated token of one sequence, averaged over the generated positions
     * {@code promptTokens + 1 .. promptTokens + generatedTokens} (the first generated position when
     * {@code generatedTokens} is 0). Each token attends to exactly the keys before it, so the mask does not apply.
     *
     * @param spec the model
     * @param promptTokens tokens of the prompt before the first generated token
     * @param generatedTokens tokens generated
     * @param c the counting convention (its mask does not apply)
     * @return FLOPs by term, per generated token
     */
    public static FlopsBreakdown decodePerToken(
            TransformerSpec spec, long promptTokens, long generatedTokens, FlopsConvention c) {
        Checks.range("promptTokens", promptTokens, 0, Limits.MAX_CONTEXT);
        Checks.range("generatedTokens", generatedTokens, 0, Limits.MAX_CONTEXT);
        long n = Math.max(1, generatedTokens);
        double[] t = FlopsBreakdown.newTerms();
        addPerTokenTerms(spec, c, 1, t);
        for (LayerGroup g : spec.layers())
            addAttention(g, c, w -> (causalKeys(promptTokens + n, w) - causalKeys(promptTokens, w)) / n, t);
        return new FlopsBreakdown(t);
    }

    /**
     * Training FLOPs per token on sequences of {@code sequenceTokens}: the forward pass (a prefill of one sequence,
     * divided by its length), the backward pass at twice the forward (Kaplan et al. 2020 §2.1; Chinchilla App. F), and
     * the recomputed forward work (Korthikanti et al. 2022, arXiv:2205.05198 §5): the attention core for selective,
     * the whole transformer layers for full recomputation (the embedding and the output layer are not recomputed).
     *
     * @param spec the model
     * @param sequenceTokens tokens per training sequence
     * @param recompute the activation recomputation mode
     * @param c the counting convention
     * @return forward, backward and recomputed FLOPs per token
     */
    public static TrainingFlops trainingPerToken(
            TransformerSpec spec, long sequenceTokens, Recompute recompute, FlopsConvention c) {
        Checks.present("recompute", recompute);
        FlopsBreakdown forward = prefill(spec, sequenceTokens, 1, c).times(1.0 / sequenceTokens);
        double recomputed = switch (recompute) {
            case NONE -> 0;
            case SELECTIVE -> forward.attentionCore();
            case FULL -> forward.layers();
        };
        return new TrainingFlops(forward, 2 * forward.total(), recomputed, recompute);
    }

    /** Adds the position-independent terms (matrices, embedding, logits) of {@code tokens} tokens. */
    private static void addPerTokenTerms(TransformerSpec spec, FlopsConvention c, double tokens, double[] t) {
        long d = spec.hiddenSize();
        for (LayerGroup g : spec.layers()) {
            double times = tokens * g.count();
            Parameters.forEachMatrix(
                    g.kind(),
                    d,
                    (component, role, in, out, bias, copies, activeCopies) ->
                            t[FlopComponent.ofMatrices(component).ordinal()] += times * activeCopies * linear(in, out));
        }
        for (LayerGroup g : spec.layers())
            t[ATTENTION_RECURRENCE.ordinal()] += tokens * g.count() * recurrencePerToken(g.kind());
        t[EMBEDDING.ordinal()] += tokens * embeddingPerToken(spec, c);
        t[OUTPUT_LOGITS.ordinal()] += tokens * outputLogitsPerToken(spec);
    }

    /**
     * Adds the attention core of the layers of {@code g}; {@code keys} gives the (query, key) pairs per layer for a
     * window (0: none). Softmax attention attends within {@link #attendedWindow}; DeepSeek sparse attention's indexer
     * scores every cached key (within the layer's sliding window, if any).
     */
    private static void addAttention(
            LayerGroup g, FlopsConvention c, java.util.function.LongToDoubleFunction keys, double[] t) {
        LayerKind kind = g.kind();
        Attention a = kind.attention();
        double pairs = keys.applyAsDouble(attendedWindow(kind)) * g.count();
        t[ATTENTION_SCORES.ordinal()] += pairs * attentionScoresPerKey(a);
        t[ATTENTION_WEIGHTED_SUM.ordinal()] += pairs * attentionWeightedSumPerKey(a);
        if (c.softmax()) t[ATTENTION_SOFTMAX.ordinal()] += pairs * softmaxPerKey(a);
        if (a instanceof LatentAttention mla && mla.hasIndexer())
            t[ATTENTION_INDEX_SCORES.ordinal()] +=
                    keys.applyAsDouble(kind.slidingWindow()) * g.count() * indexScoresPerKey(mla);
    }

    /**
     * The keys a query of a layer of {@code kind} attends to at most: its sliding window, and for DeepSeek sparse
     * attention the indexer's top-k (whichever is smaller); 0 when unbounded.
     *
     * @param kind the layer's kind
     * @return the window in tokens, or 0
     */
    public static long attendedWindow(LayerKind kind) {
        long w = kind.slidingWindow();
        if (kind.attention() instanceof LatentAttention mla && mla.sparse())
            return w > 0 ? Math.min(w, mla.indexTopK()) : mla.indexTopK();
        return w;
    }

    /**
     * Indexer FLOPs per (query, key) pair: 2 x index heads x index head size for the scores, plus their weighting by
     * weights_proj (2 per head); 0 without an indexer.
     *
     * @param mla the latent attention
     * @return FLOPs per (query, key) pair
     */
    public static double indexScoresPerKey(LatentAttention mla) {
        return mla.hasIndexer() ? 2.0 * mla.indexHeads() * mla.indexHeadDim() + 2.0 * mla.indexHeads() : 0;
    }
}
