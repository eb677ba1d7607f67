package dev.strata.estimator.params;

import static dev.strata.estimator.params.ParamComponent.*;

import dev.strata.model.Attention;
import dev.strata.model.InvalidFieldException;
import dev.strata.model.LatentAttention;
import dev.strata.model.LayerGroup;
import dev.strata.model.LayerKind;
import dev.strata.model.LinearAttention;
import dev.strata.model.MixtureOfExperts;
import dev.strata.model.Mlp;
import dev.strata.model.MultiHeadAttention;
import dev.strata.model.Norms;
import dev.strata.model.PositionEncoding;
import dev.strata.model.Projection;
import dev.strata.model.RecurrentMixer;
import dev.strata.model.SelectiveStateSpaceMixer;
import dev.strata.model.StateSpaceMixer;
import dev.strata.model.TransformerSpec;

/**
 * Exact parameter counts, bottom up, one named method per weight.
 *
 * <p>Shapes follow the Hugging Face implementations of each family (docs/architecture.md, "Architecture facts"); counting
 * conventions follow docs/formulas.md. All arithmetic is exact on {@code long}: a count that would not fit throws
 * {@link InvalidFieldException} instead of wrapping around.
 */
public final class Parameters {
    private Parameters() {}

    private static final int COMPONENTS = ParamComponent.values().length;

    /**
     * Counts the parameters of {@code spec}: total, active (per token) and a named breakdown.
     *
     * @param spec the model
     * @return the count
     */
    public static ParameterCount count(TransformerSpec spec) {
        try {
            int n = COMPONENTS;
            long[] total = new long[n];
            long[] active = hasExperts(spec)
                    ? new long[n]
                    : total; // dense: every token touches every weight, one array serves both
            long d = spec.hiddenSize();
            set(total, active, EMBEDDING, tokenEmbedding(spec));
            set(total, active, POSITION_EMBEDDING, positionEmbedding(spec));
            for (LayerGroup g : spec.layers()) addLayer(total, active, g.kind(), d, spec.norms(), g.count());
            set(
                    total,
                    active,
                    FINAL_NORM,
                    spec.norms().finalNorm() ? spec.norms().paramsFor(d) : 0);
            set(total, active, OUTPUT_HEAD, outputHead(spec));
            ParameterCount c = new ParameterCount(total, active, multiTokenPrediction(spec), spec.encoderParameters());
            c.checkpointTotal(); // its sums must fit too
            return c;
        } catch (ArithmeticException e) {
            throw new InvalidFieldException(
                    "layers",
                    spec.layerCount(),
                    "a shape whose parameter count fits in a 64-bit integer (at most 9.2e18)");
        }
    }

    private static boolean hasExperts(TransformerSpec spec) {
        for (LayerGroup g : spec.layers()) if (g.kind().feedForward() instanceof MixtureOfExperts) return true;
        return false;
    }

    private static void set(long[] total, long[] active, ParamComponent c, long v) {
        total[c.ordinal()] = v;
        active[c.ordinal()] = v;
    }

    /** Adds to a term of both counts; when they share one array (a dense model) the two values are the same and added once. */
    private static void add(long[] total, long[] active, ParamComponent c, long totalV, long activeV) {
        total[c.ordinal()] = Math.addExact(total[c.ordinal()], totalV);
        if (active != total) active[c.ordinal()] = Math.addExact(active[c.ordinal()], activeV);
        else if (activeV != totalV)
            throw new IllegalStateException(c + ": an active count below the total in a model without experts");
    }

    /** Adds {@code times} layers of {@code kind} to the counts (exact: an overflow throws). */
    private static void addLayer(long[] t, long[] a, LayerKind kind, long d, Norms norms, long times) {
        add(t, a, LAYER_NORMS, Math.multiplyExact(layerNorms(d, norms), times));
        forEachMatrix(kind, d, (component, role, in, out, bias, copies, activeCopies) -> {
            long one = linear(in, out, bias);
            add(
                    t,
                    a,
                    component,
                    Math.multiplyExact(Math.multiplyExact(one, copies), times),
                    Math.multiplyExact(Math.multiplyExact(one, activeCopies), times));
        });
        if (kind.attention() instanceof MultiHeadAttention mha) {
            add(t, a, ATTENTION_QK_NORMS, Math.multiplyExact(qkNorms(mha, norms), times));
            add(t, a, ATTENTION_SINKS, Math.multiplyExact(sinks(mha), times));
        } else if (kind.attention() instanceof RecurrentMixer) {
            add(t, a, MIXER_VECTORS, Math.multiplyExact(mixerVectors(kind.attention()), times));
        } else if (kind.attention() instanceof LatentAttention mla) {
            add(t, a, ATTENTION_LATENT_NORMS, Math.multiplyExact(latentNorms(mla, norms), times));
            add(t, a, ATTENTION_INDEXER, Math.multiplyExact(indexerKeyNorm(mla), times));
        }
        if (kind.hasParallelMixer())
            add(t, a, MIXER_VECTORS, Math.multiplyExact(mixerVectors(kind.parallelMixer()), times));
    }

    /** Adds {@code v} to a term of both the total and the active count (a term every token uses). */
    private static void add(long[] total, long[] active, ParamComponent c, long v) {
        add(total, active, c, v, v);
    }

    /**
     * The norms of one layer over the hidden size: {@code perLayer} norms of {@code d} (weights, and biases if any).
     *
     * @param d the hidden size
     * @param norms the model's norms
     * @return parameters
     */
    public static long layerNorms(long d, Norms norms) {
        return norms.perLayer() * norms.paramsFor(d);
    }

    /**
     * The parameters of one layer of {@code kind} that are not in a matrix: its norms, q/k norms, attention sinks and
     * MLA's latent norms ({@link #forEachMatrix} visits everything else, biases included). What memory stores in the
     * embedding format and latency reads as vectors.
     *
     * @param kind the layer's kind
     * @param d the hidden size
     * @param norms the model's norms
     * @return parameters
     */
    public static long layerVectors(LayerKind kind, long d, Norms norms) {
        long v = layerNorms(d, norms);
        if (kind.attention() instanceof MultiHeadAttention mha) v += qkNorms(mha, norms) + sinks(mha);
        else if (kind.attention() instanceof RecurrentMixer) v += mixerVectors(kind.attention());
        else if (kind.attention() instanceof LatentAttention mla) v += latentNorms(mla, norms) + indexerKeyNorm(mla);
        return v + mixerVectors(kind.parallelMixer());
    }

    /**
     * Visits every weight matrix of a layer of {@code kind} over hidden size {@code d}, with its shape: the shapes of
     * the Hugging Face implementations (docs/architecture.md, "Architecture facts"). Norm weights are not matrices and are
     * not visited. Order: attention projections, a parallel mixer's projections, then the feed-forward matrices.
     *
     * @param kind the layer's kind
     * @param d the hidden size
     * @param v receives each matrix
     */
    public static void forEachMatrix(LayerKind kind, long d, MatrixVisitor v) {
        // Kept small, each part in a method of its own: the JIT then inlines the walk into every caller and calls the
        // caller's own visitor directly, instead of through one call site shared by every caller (docs/benchmarks.md,
        // "Estimator").
        forEachMixerMatrix(kind.attention(), d, v);
        if (kind.hasParallelMixer()) forEachMixerMatrix(kind.parallelMixer(), d, v);
        if (kind.feedForward() instanceof Mlp mlp) forEachMlpMatrix(mlp, d, MLP, 1, 1, v);
        else if (kind.feedForward() instanceof MixtureOfExperts moe) forEachExpertMatrix(moe, d, v);
    }

    private static void forEachMixerMatrix(Attention attention, long d, MatrixVisitor v) {
        if (attention instanceof MultiHeadAttention mha) forEachAttentionMatrix(mha, d, v);
        else if (attention instanceof LatentAttention mla) forEachLatentAttentionMatrix(mla, d, v);
        else if (attention instanceof LinearAttention lin) forEachLinearAttentionMatrix(lin, d, v);
        else if (attention instanceof StateSpaceMixer ssm) forEachStateSpaceMatrix(ssm, d, v);
        else if (attention instanceof SelectiveStateSpaceMixer mamba) forEachSelectiveStateSpaceMatrix(mamba, d, v);
    }

    private static void forEachAttentionMatrix(MultiHeadAttention mha, long d, MatrixVisitor v) {
        v.matrix(
                ATTENTION_QUERY,
                Projection.QUERY,
                d,
                mha.queryProjectionWidth(),
                mha.biases().query(),
                1,
                1);
        v.matrix(ATTENTION_KEY, Projection.KEY, d, mha.kvWidth(), mha.biases().key(), 1, 1);
        v.matrix(
                ATTENTION_VALUE,
                Projection.VALUE,
                d,
                mha.kvWidth(),
                mha.biases().value(),
                1,
                1);
        v.matrix(
                ATTENTION_OUTPUT,
                Projection.OUTPUT,
                mha.queryWidth(),
                d,
                mha.biases().output(),
                1,
                1);
    }

    private static void forEachLatentAttentionMatrix(LatentAttention mla, long d, MatrixVisitor v) {
        if (mla.qLoraRank() > 0) {
            v.matrix(ATTENTION_QUERY_DOWN, Projection.QUERY_DOWN, d, mla.qLoraRank(), false, 1, 1);
            v.matrix(ATTENTION_QUERY_UP, Projection.QUERY_UP, mla.qLoraRank(), mla.queryWidth(), false, 1, 1);
        } else {
            v.matrix(ATTENTION_QUERY, Projection.QUERY, d, mla.queryWidth(), false, 1, 1);
        }
        v.matrix(ATTENTION_KEY_VALUE_DOWN, Projection.KEY_VALUE_DOWN, d, mla.cachedWidth(), false, 1, 1);
        v.matrix(
                ATTENTION_KEY_VALUE_UP,
                Projection.KEY_VALUE_UP,
                mla.kvLoraRank(),
                (long) mla.heads() * (mla.qkNopeHeadDim() + mla.vHeadDim()),
                false,
                1,
                1);
        v.matrix(ATTENTION_OUTPUT, Projection.OUTPUT, (long) mla.heads() * mla.vHeadDim(), d, false, 1, 1);
        if (mla.hasIndexer()) { // modeling_deepseek_v32 Indexer: wq_b from the compressed query, wk, weights_proj
            long indexWidth = (long) mla.indexHeads() * mla.indexHeadDim();
            v.matrix(ATTENTION_INDEXER, Projection.INDEXER, mla.qLoraRank(), indexWidth, false, 1, 1);
            v.matrix(ATTENTION_INDEXER, Projection.INDEXER, d, mla.indexHeadDim(), false, 1, 1);
            v.matrix(ATTENTION_INDEXER, Projection.INDEXER, d, mla.indexHeads(), false, 1, 1);
        }
    }

    /**
     * Gated DeltaNet (modeling_qwen3_next.Qwen3NextGatedDeltaNet): in_proj_qkvz hidden -> 2 x keys + 2 x values (q, k,
     * v and the output gate z), in_proj_ba hidden -> 2 x value heads (the write strength beta and the decay a), out_proj
     * values -> hidden; no biases.
     */
    private static void forEachLinearAttentionMatrix(LinearAttention lin, long d, MatrixVisitor v) {
        v.matrix(MIXER_INPUT, Projection.MIXER_IN, d, 2 * lin.keyWidth() + 2 * lin.valueWidth(), false, 1, 1);
        v.matrix(MIXER_INPUT, Projection.MIXER_IN, d, 2L * lin.valueHeads(), false, 1, 1);
        v.matrix(MIXER_OUTPUT, Projection.MIXER_OUT, lin.valueWidth(), d, false, 1, 1);
    }

    /** Mamba-2 (modeling_nemotron_h.NemotronHMamba2Mixer): in_proj hidden -> z, x, B, C, dt; out_proj inner -> hidden. */
    private static void forEachStateSpaceMatrix(StateSpaceMixer ssm, long d, MatrixVisitor v) {
        v.matrix(MIXER_INPUT, Projection.MIXER_IN, d, ssm.inputProjectionWidth(), ssm.projectionBias(), 1, 1);
        v.matrix(MIXER_OUTPUT, Projection.MIXER_OUT, ssm.innerWidth(), d, ssm.outputBias(), 1, 1);
    }

    /**
     * Mamba-1 (modeling_jamba.JambaMambaMixer): in_proj hidden -> 2 x inner, x_proj inner -> dt rank + 2 x state,
     * dt_proj dt rank -> inner with bias, out_proj inner -> hidden.
     */
    private static void forEachSelectiveStateSpaceMatrix(SelectiveStateSpaceMixer m, long d, MatrixVisitor v) {
        long inner = m.innerWidth();
        v.matrix(MIXER_INPUT, Projection.MIXER_IN, d, 2 * inner, m.projectionBias(), 1, 1);
        v.matrix(MIXER_INPUT, Projection.MIXER_IN, inner, m.dtRank() + 2L * m.stateSize(), false, 1, 1);
        v.matrix(MIXER_INPUT, Projection.MIXER_IN, m.dtRank(), inner, true, 1, 1);
        v.matrix(MIXER_OUTPUT, Projection.MIXER_OUT, inner, d, m.projectionBias(), 1, 1);
    }

    /**
     * A mixer's weights outside its projections: the depthwise convolution (channels x kernel, Mamba's with a bias);
     * Gated DeltaNet's dt_bias and A_log per value head and its gated RMSNorm over a value head; Mamba-2's dt_bias,
     * A_log and D per head and its gated RMSNorm over the inner width. 0 for other mixers.
     *
     * @param a the mixer
     * @return parameters
     */
    public static long mixerVectors(Attention a) {
        if (a instanceof LinearAttention lin)
            return lin.convChannels() * lin.convKernel() + 2L * lin.valueHeads() + lin.valueHeadDim();
        if (a instanceof SelectiveStateSpaceMixer m) // convolution, A_log (inner x state), D, Jamba's three norms
        return (long) m.innerWidth() * m.convKernel()
                    + (m.convBias() ? m.innerWidth() : 0)
                    + m.recurrentStateElements()
                    + m.innerWidth()
                    + (m.innerNorms() ? m.dtRank() + 2L * m.stateSize() : 0);
        if (a instanceof StateSpaceMixer ssm)
            return ssm.convChannels() * ssm.convKernel()
                    + (ssm.convBias() ? ssm.convChannels() : 0)
                    + 3L * ssm.heads()
                    + (ssm.gatedNorm() ? ssm.innerWidth() : 0);
        return 0;
    }

    private static void forEachExpertMatrix(MixtureOfExperts moe, long d, MatrixVisitor v) {
        if (moe.sharedExperts() > 0)
            forEachMlpMatrix(moe.sharedExpert(), d, SHARED_EXPERTS, moe.sharedExperts(), moe.sharedExperts(), v);
        // Qwen2-MoE's shared_expert_gate: hidden -> 1, no bias, one per layer
        if (moe.sharedExpertGate()) v.matrix(SHARED_EXPERTS, Projection.ROUTER, d, 1, false, 1, 1);
        forEachMlpMatrix(moe.expert(), d, ROUTED_EXPERTS, moe.routedExperts(), moe.topK(), v);
        // The router's bias is DeepSeek-V3's e_score_correction_bias: one value per expert, like a linear bias.
        v.matrix(ROUTER, Projection.ROUTER, d, moe.routedExperts(), moe.routerBias(), 1, 1);
    }

    /**
     * The matrices of one MLP over hidden size d with intermediate size f: a gated MLP has gate and up (d -> f) and
     * down (f -> d); a dense one up (d -> f) and down (f -> d). With biases, f per input-side matrix and d for down.
     */
    static void forEachMlpMatrix(
            Mlp mlp, long d, ParamComponent component, long copies, long activeCopies, MatrixVisitor v) {
        long f = mlp.intermediateSize();
        if (mlp.matrices() == 3) v.matrix(component, Projection.MLP_GATE, d, f, mlp.bias(), copies, activeCopies);
        v.matrix(component, Projection.MLP_UP, d, f, mlp.bias(), copies, activeCopies);
        v.matrix(component, Projection.MLP_DOWN, f, d, mlp.bias(), copies, activeCopies);
    }

    /**
     * Token embedding: vocab x hidden (an {@code nn.Embedding}).
     *
     * @param spec the model
     * @return parameters
     */
    public static long tokenEmbedding(TransformerSpec spec) {
        return (long) spec.vocabSize() * spec.hiddenSize();
    }

    /**
     * Learned position table: contextLength x hidden (GPT-2 {@code wpe}); rotary, ALiBi and none have no weights.
     *
     * @param spec the model
     * @return parameters
     */
    public static long positionEmbedding(TransformerSpec spec) {
        return spec.positions() == PositionEncoding.LEARNED ? (long) spec.contextLength() * spec.hiddenSize() : 0;
    }

    /**
     * Output head: vocab x hidden, plus a bias per vocabulary entry when it has one (Phi-3.5-MoE), or 0 when tied to
     * the token embedding (counted once, docs/formulas.md, "Counting conventions").
     *
     * @param spec the model
     * @return parameters
     */
    public static long outputHead(TransformerSpec spec) {
        if (spec.tiedEmbeddings()) return 0;
        return tokenEmbedding(spec) + (spec.outputHeadBias() ? spec.vocabSize() : 0);
    }

    /**
     * A linear layer {@code in -> out}: in x out weights plus out biases if it has them.
     *
     * @param in input features
     * @param out output features
     * @param bias whether it has a bias
     * @return parameters
     */
    public static long linear(long in, long out, boolean bias) {
        return in * out + (bias ? out : 0);
    }

    /**
     * An MLP over hidden size d with intermediate size f: {@code matrices x d x f} weights; biases f per
     * input-side matrix and d for the down projection (GPT-2 c_fc + c_proj; Llama gate/up/down).
     *
     * @param mlp the MLP
     * @param d the hidden size
     * @return parameters
     */
    public static long mlp(Mlp mlp, long d) {
        long[] sum = new long[1];
        forEachMlpMatrix(
                mlp, d, MLP, 1, 1, (c, role, in, out, bias, copies, active) -> sum[0] += linear(in, out, bias));
        return sum[0];
    }

    /**
     * Router: hidden x experts weights (no bias), plus one bias per expert when present (DeepSeek-V3).
     *
     * @param moe the mixture of experts
     * @param d the hidden size
     * @return parameters
     */
    public static long router(MixtureOfExperts moe, long d) {
        return linear(d, moe.routedExperts(), moe.routerBias());
    }

    /**
     * q_norm and k_norm: one norm over headDim each, shared by all heads (Qwen3, Gemma 3), or across the heads, over
     * heads x headDim and kvHeads x headDim (OLMo 2; Cohere's per-head norms hold as many weights).
     *
     * @param mha the attention
     * @param norms the model's norms (their kind gives the bias)
     * @return parameters
     */
    public static long qkNorms(MultiHeadAttention mha, Norms norms) {
        if (!mha.qkNorm()) return 0;
        if (mha.qkNormAcrossHeads()) return norms.paramsFor(mha.queryWidth()) + norms.paramsFor(mha.kvWidth());
        return 2 * norms.paramsFor(mha.headDim());
    }

    /**
     * gpt-oss attention sinks: one learned logit per query head.
     *
     * @param mha the attention
     * @return parameters
     */
    public static long sinks(MultiHeadAttention mha) {
        return mha.sinks() ? mha.heads() : 0;
    }

    /**
     * The indexer's k_norm, a LayerNorm with bias over an index key (DeepSeek sparse attention); 0 without one.
     *
     * @param mla the latent attention
     * @return parameters
     */
    public static long indexerKeyNorm(LatentAttention mla) {
        return mla.hasIndexer() ? 2L * mla.indexHeadDim() : 0;
    }

    /**
     * MLA's q_a_layernorm (qLoraRank, only with query compression) and kv_a_layernorm (kvLoraRank).
     *
     * @param mla the latent attention
     * @param norms the model's norms
     * @return parameters
     */
    public static long latentNorms(LatentAttention mla, Norms norms) {
        long q = mla.qLoraRank() > 0 ? norms.paramsFor(mla.qLoraRank()) : 0;
        return q + norms.paramsFor(mla.kvLoraRank());
    }

    /**
     * Parameters of one layer of {@code kind} (all experts), without the embedding or head.
     *
     * @param kind the layer's kind
     * @param d the hidden size
     * @param norms the model's norms
     * @return parameters
     */
    public static long layer(LayerKind kind, long d, Norms norms) {
        int n = COMPONENTS;
        long[] t = new long[n];
        addLayer(t, new long[n], kind, d, norms, 1);
        long s = 0;
        for (long v : t) s = Math.addExact(s, v);
        return s;
    }

    /**
     * DeepSeek-V3 multi-token prediction (arXiv:2412.19437 §2.2 and the published modeling code): per module two
     * RMSNorms (enorm, hnorm), a projection eh_proj from 2d to d without bias, one transformer layer of the last
     * layer's kind, and the shared head's norm. Embedding and output head are shared with the main model.
     *
     * @param spec the model
     * @return parameters of all the modules
     */
    public static long multiTokenPrediction(TransformerSpec spec) {
        if (spec.multiTokenPredictionModules() == 0) return 0;
        long d = spec.hiddenSize();
        Norms norms = spec.norms();
        long perModule = 3 * norms.paramsFor(d) + linear(2 * d, d, false) + layer(spec.lastLayerKind(), d, norms);
        return Math.multiplyExact(perModule, spec.multiTokenPredictionModules());
    }
}
