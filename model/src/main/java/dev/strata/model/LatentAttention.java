package dev.strata.model;

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
 */
public record LatentAttention(
        int heads, int qLoraRank, int kvLoraRank, int qkNopeHeadDim, int qkRopeHeadDim, int vHeadDim)
        implements Attention {
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

    /** Elements cached per token and layer: the latent plus the shared rotary key. */
    public int cachedWidth() {
        return kvLoraRank + qkRopeHeadDim;
    }
}
