package dev.strata.model;

import dev.strata.model.internal.Checks;
import dev.strata.model.internal.Limits;

/**
 * Multi-head attention (Vaswani et al. 2017) with grouped-query (Ainslie et al. 2023) and multi-query
 * (Shazeer 2019) variants: {@code kvHeads == heads} is MHA, {@code kvHeads == 1} is MQA, anything between is GQA.
 *
 * @param heads             number of query heads
 * @param kvHeads           number of key/value heads; must divide {@code heads}
 * @param headDim           size of each head; may differ from hidden / heads (Gemma 2: 256, Qwen3)
 * @param biases            which of the q, k, v, o projections have biases
 * @param qkNorm            whether queries and keys are normalised before the dot product
 * @param qkNormAcrossHeads with {@code qkNorm}: the norms' weights span all heads (OLMo 2's q_norm over heads x
 *                          headDim and k_norm over kvHeads x headDim; Cohere's per-head LayerNorm of the same size);
 *                          without it one weight vector of headDim each, shared by the heads (Qwen3, Gemma 3)
 * @param sinks             a learned sink logit per head (gpt-oss {@code sinks}: one value per query head)
 * @param gatedOutput       the query projection also produces a sigmoid gate on the attention output, doubling its
 *                          width (Qwen3-Next: q_proj hidden -> 2 x heads x headDim)
 */
public record MultiHeadAttention(
        int heads,
        int kvHeads,
        int headDim,
        ProjectionBiases biases,
        boolean qkNorm,
        boolean qkNormAcrossHeads,
        boolean sinks,
        boolean gatedOutput)
        implements Attention {
    /**
     * Checks the fields; an invalid one throws an {@link InvalidFieldException} naming it.
     *
     * @param heads number of query heads
     * @param kvHeads number of key/value heads; must divide {@code heads}
     * @param headDim size of each head; may differ from hidden / heads (Gemma 2: 256, Qwen3)
     * @param biases which of the q, k, v, o projections have biases
     * @param qkNorm whether queries and keys are normalised before the dot product
     * @param qkNormAcrossHeads with {@code qkNorm}: the norms' weights span all heads (OLMo 2's q_norm over heads x
     *     headDim and k_norm over kvHeads x headDim; Cohere's per-head LayerNorm of the same size); without it one
     *     weight vector of headDim each, shared by the heads (Qwen3, Gemma 3)
     * @param sinks a learned sink logit per head (gpt-oss {@code sinks}: one value per query head)
     * @param gatedOutput the query projection also produces a sigmoid gate on the attention output, doubling its width
     *     (Qwen3-Next: q_proj hidden -> 2 x heads x headDim)
     */
    public MultiHeadAttention {
        Checks.range("attention.heads", heads, 1, Limits.MAX_HEADS);
        Checks.range("attention.kvHeads", kvHeads, 1, heads);
        if (heads % kvHeads != 0)
            throw new InvalidFieldException("attention.kvHeads", kvHeads, "a divisor of attention.heads = " + heads);
        Checks.range("attention.headDim", headDim, 1, Limits.MAX_WIDTH);
        if ((long) heads * headDim > Limits.MAX_WIDTH)
            throw new InvalidFieldException(
                    "attention.headDim", headDim, "such that heads x headDim <= " + Limits.MAX_WIDTH);
        Checks.present("attention.biases", biases);
        if (qkNormAcrossHeads && !qkNorm)
            throw new InvalidFieldException(
                    "attention.qkNormAcrossHeads", true, "false when attention.qkNorm is false");
    }

    /**
     * Attention with per-head q/k norms or none, without sinks or an output gate.
     *
     * @param heads number of query heads
     * @param kvHeads number of key/value heads; must divide {@code heads}
     * @param headDim size of each head
     * @param biases which of the q, k, v, o projections have biases
     * @param qkNorm whether queries and keys are normalised per head before the dot product
     */
    public MultiHeadAttention(int heads, int kvHeads, int headDim, ProjectionBiases biases, boolean qkNorm) {
        this(heads, kvHeads, headDim, biases, qkNorm, false, false, false);
    }

    /**
     * Plain attention without biases or q/k norms.
     *
     * @param heads number of query heads
     * @param kvHeads number of key/value heads (1 for MQA, {@code heads} for MHA, between them for GQA)
     * @param headDim size of each head
     * @return the attention
     */
    public static MultiHeadAttention of(int heads, int kvHeads, int headDim) {
        return new MultiHeadAttention(heads, kvHeads, headDim, ProjectionBiases.NONE, false);
    }

    @Override
    public long queryWidth() {
        return (long) heads * headDim;
    }

    /**
     * Output width of the query projection: the queries, and as much again for the output gate when there is one.
     *
     * @return heads x headDim, twice that with a gated output
     */
    public long queryProjectionWidth() {
        return gatedOutput ? 2 * queryWidth() : queryWidth();
    }

    /**
     * Width of the keys (and of the values): kvHeads x headDim.
     *
     * @return kvHeads x headDim, in elements
     */
    public long kvWidth() {
        return (long) kvHeads * headDim;
    }

    @Override
    public int scoreHeadDim() {
        return headDim;
    }

    @Override
    public int valueHeadDim() {
        return headDim;
    }
}
