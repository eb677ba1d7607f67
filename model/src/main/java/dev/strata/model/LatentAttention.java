package dev.strata.model;

import dev.strata.model.internal.Checks;
import dev.strata.model.internal.Limits;

/**
 * Multi-head latent attention (MLA), DeepSeek-V2 (arXiv:2405.04434) §2.1 and DeepSeek-V3 (arXiv:2412.19437) §2.1.1.
 * Keys and values are compressed into a latent of {@code kvLoraRank} plus a shared rotary key of
 * {@code qkRopeHeadDim}; the KV cache holds only those per token and layer.
 *
 * <p>Projections, as in the Hugging Face DeepSeek-V3 code: q_a_proj (hidden -> qLoraRank), q_a_layernorm,
 * q_b_proj (qLoraRank -> heads x (nope + rope)); or q_proj (hidden -> heads x (nope + rope)) when qLoraRank is 0;
 * kv_a_proj_with_mqa (hidden -> kvLoraRank + rope), kv_a_layernorm (kvLoraRank), kv_b_proj (kvLoraRank -> heads x
 * (nope + v)), o_proj (heads x v -> hidden). No biases.
 *
 * @param heads          number of attention heads
 * @param qLoraRank      rank of the query compression; 0 means no compression (a direct q_proj)
 * @param kvLoraRank     rank of the key/value latent
 * @param qkNopeHeadDim  per-head query/key size without rotary position
 * @param qkRopeHeadDim  per-head query/key size with rotary position (the key part is shared by all heads)
 * @param vHeadDim       per-head value size
 * @param indexHeads     heads of DeepSeek sparse attention's lightning indexer (DeepSeek-V3.2; transformers'
 *                       modeling_deepseek_v32 {@code index_n_heads}); 0 for dense MLA
 * @param indexHeadDim   size of an indexer head, and of the index key each token caches per layer
 * @param indexTopK      tokens each query attends to, chosen by the indexer ({@code index_topk}); 0 for dense MLA.
 *                       A layer with a top-k and no indexer of its own reuses the previous layer's choice (GLM-5's
 *                       "shared" layers)
 */
public record LatentAttention(
        int heads,
        int qLoraRank,
        int kvLoraRank,
        int qkNopeHeadDim,
        int qkRopeHeadDim,
        int vHeadDim,
        int indexHeads,
        int indexHeadDim,
        int indexTopK)
        implements Attention {
    /**
     * Checks the fields; an invalid one throws an {@link InvalidFieldException} naming it.
     *
     * @param heads number of attention heads
     * @param qLoraRank rank of the query compression; 0 means no compression (a direct q_proj)
     * @param kvLoraRank rank of the key/value latent
     * @param qkNopeHeadDim per-head query/key size without rotary position
     * @param qkRopeHeadDim per-head query/key size with rotary position (the key part is shared by all heads)
     * @param vHeadDim per-head value size
     * @param indexHeads heads of DeepSeek sparse attention's lightning indexer (DeepSeek-V3.2; transformers'
     *     modeling_deepseek_v32 {@code index_n_heads}); 0 for dense MLA
     * @param indexHeadDim size of an indexer head, and of the index key each token caches per layer
     * @param indexTopK tokens each query attends to, chosen by the indexer ({@code index_topk}); 0 for dense MLA. A
     *     layer with a top-k and no indexer of its own reuses the previous layer's choice (GLM-5's "shared" layers)
     */
    public LatentAttention {
        Checks.range("attention.heads", heads, 1, Limits.MAX_HEADS);
        Checks.range("attention.qLoraRank", qLoraRank, 0, Limits.MAX_WIDTH);
        Checks.range("attention.kvLoraRank", kvLoraRank, 1, Limits.MAX_WIDTH);
        Checks.range("attention.qkNopeHeadDim", qkNopeHeadDim, 0, Limits.MAX_WIDTH);
        Checks.range("attention.qkRopeHeadDim", qkRopeHeadDim, 0, Limits.MAX_WIDTH);
        if (qkNopeHeadDim + (long) qkRopeHeadDim < 1)
            throw new InvalidFieldException(
                    "attention.qkNopeHeadDim", qkNopeHeadDim, "such that qkNopeHeadDim + qkRopeHeadDim >= 1");
        Checks.range("attention.vHeadDim", vHeadDim, 1, Limits.MAX_WIDTH);
        if ((long) heads * (qkNopeHeadDim + qkRopeHeadDim + vHeadDim) > Limits.MAX_WIDTH)
            throw new InvalidFieldException(
                    "attention.heads",
                    heads,
                    "such that heads x (qkNopeHeadDim + qkRopeHeadDim + vHeadDim) <= " + Limits.MAX_WIDTH);
        Checks.range("attention.indexHeads", indexHeads, 0, Limits.MAX_HEADS);
        Checks.range("attention.indexHeadDim", indexHeadDim, 0, Limits.MAX_WIDTH);
        Checks.range("attention.indexTopK", indexTopK, 0, Limits.MAX_CONTEXT);
        if ((indexHeads > 0) != (indexHeadDim > 0) || (indexHeads > 0 && indexTopK == 0))
            throw new InvalidFieldException(
                    "attention.indexHeads",
                    indexHeads,
                    "0 with indexHeadDim 0, or positive with indexHeadDim and indexTopK positive");
        if (indexHeads > 0 && qLoraRank == 0)
            throw new InvalidFieldException(
                    "attention.qLoraRank", 0, "positive with an indexer (its queries come from the compressed query)");
        if ((long) indexHeads * indexHeadDim > Limits.MAX_WIDTH)
            throw new InvalidFieldException(
                    "attention.indexHeadDim",
                    indexHeadDim,
                    "such that indexHeads x indexHeadDim <= " + Limits.MAX_WIDTH);
    }

    /**
     * Dense MLA, without an indexer.
     *
     * @param heads number of attention heads
     * @param qLoraRank rank of the query compression; 0 means no compression (a direct q_proj)
     * @param kvLoraRank rank of the key/value latent
     * @param qkNopeHeadDim per-head query/key size without rotary position
     * @param qkRopeHeadDim per-head query/key size with rotary position (the key part is shared by all heads)
     * @param vHeadDim per-head value size
     */
    public LatentAttention(
            int heads, int qLoraRank, int kvLoraRank, int qkNopeHeadDim, int qkRopeHeadDim, int vHeadDim) {
        this(heads, qLoraRank, kvLoraRank, qkNopeHeadDim, qkRopeHeadDim, vHeadDim, 0, 0, 0);
    }

    /**
     * Whether each query attends to the top-k tokens an indexer picks (DeepSeek sparse attention).
     *
     * @return whether {@link #indexTopK()} is above 0
     */
    public boolean sparse() {
        return indexTopK > 0;
    }

    /**
     * Whether this layer runs an indexer of its own (with its weights and its cache of index keys).
     *
     * @return whether {@link #indexHeads()} is above 0
     */
    public boolean hasIndexer() {
        return indexHeads > 0;
    }

    @Override
    public int scoreHeadDim() {
        return qkNopeHeadDim + qkRopeHeadDim;
    }

    @Override
    public long queryWidth() {
        return (long) heads * scoreHeadDim();
    }

    @Override
    public int valueHeadDim() {
        return vHeadDim;
    }

    /**
     * Elements cached per token and layer: the latent plus the shared rotary key.
     *
     * @return kvLoraRank + qkRopeHeadDim
     */
    public int cachedWidth() {
        return kvLoraRank + qkRopeHeadDim;
    }
}
