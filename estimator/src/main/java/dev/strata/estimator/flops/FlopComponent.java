package dev.strata.estimator.flops;

import dev.strata.estimator.params.ParamComponent;

/** The named terms of a FLOP count; {@link #key()} is the stable name used in JSON and CSV. */
public enum FlopComponent {
    /** Token embedding: 0 for a table lookup; 2 x vocab x hidden per token in the Chinchilla convention (one-hot matmul). */
    EMBEDDING("embedding"),
    /** Query projection (q_proj, or MLA's uncompressed q_proj). */
    ATTENTION_QUERY("attentionQuery"),
    /** Key projection: kvHeads x headDim wide, so grouped-query attention shrinks it. */
    ATTENTION_KEY("attentionKey"),
    /** Value projection: kvHeads x headDim wide. */
    ATTENTION_VALUE("attentionValue"),
    /** MLA query down-projection q_a_proj. */
    ATTENTION_QUERY_DOWN("attentionQueryDown"),
    /** MLA query up-projection q_b_proj. */
    ATTENTION_QUERY_UP("attentionQueryUp"),
    /** MLA key/value down-projection kv_a_proj_with_mqa. */
    ATTENTION_KEY_VALUE_DOWN("attentionKeyValueDown"),
    /** MLA key/value up-projection kv_b_proj. */
    ATTENTION_KEY_VALUE_UP("attentionKeyValueUp"),
    /** Output projection o_proj. */
    ATTENTION_OUTPUT("attentionOutput"),
    /** Attention scores Q K^T: 2 x heads x score head size per (query, key) pair. */
    ATTENTION_SCORES("attentionScores"),
    /** Softmax over the scores: 3 per score (Chinchilla convention only). */
    ATTENTION_SOFTMAX("attentionSoftmax"),
    /** Weighted sum of the values: 2 x heads x value head size per (query, key) pair. */
    ATTENTION_WEIGHTED_SUM("attentionWeightedSum"),
    /** DeepSeek sparse attention's indexer projections (wq_b, wk, weights_proj). */
    ATTENTION_INDEXER("attentionIndexer"),
    /** The indexer's scores over every cached index key: 2 x index heads x index head size per (query, key) pair. */
    ATTENTION_INDEX_SCORES("attentionIndexScores"),
    /** Input projections of linear-attention and state-space mixers. */
    MIXER_INPUT("mixerInput"),
    /** Output projections of linear-attention and state-space mixers. */
    MIXER_OUTPUT("mixerOutput"),
    /**
     * The recurrence of linear-attention and state-space mixers per token: their depthwise convolution and the update
     * and read of each head's state (in place of attention scores over a cache).
     */
    ATTENTION_RECURRENCE("attentionRecurrence"),
    /** Dense or gated MLP of non-MoE layers (gated: gate, up and down matrices). */
    MLP("mlp"),
    /** Shared experts of MoE layers. */
    SHARED_EXPERTS("sharedExperts"),
    /** The top-k routed experts a token is sent to (inactive experts cost nothing). */
    ROUTED_EXPERTS("routedExperts"),
    /** Router: hidden x experts per token. */
    ROUTER("router"),
    /** Output logits: hidden x vocab per token (tied or not). */
    OUTPUT_LOGITS("outputLogits");

    private final String key;

    FlopComponent(String key) {
        this.key = key;
    }

    /**
     * The camelCase name used in JSON keys and CSV rows.
     *
     * @return the key ({@code attentionScores}, ...)
     */
    public String key() {
        return key;
    }

    /** The FLOP term of the matrices of a parameter term. */
    static FlopComponent ofMatrices(ParamComponent c) {
        return switch (c) {
            case ATTENTION_QUERY -> ATTENTION_QUERY;
            case ATTENTION_KEY -> ATTENTION_KEY;
            case ATTENTION_VALUE -> ATTENTION_VALUE;
            case ATTENTION_QUERY_DOWN -> ATTENTION_QUERY_DOWN;
            case ATTENTION_QUERY_UP -> ATTENTION_QUERY_UP;
            case ATTENTION_KEY_VALUE_DOWN -> ATTENTION_KEY_VALUE_DOWN;
            case ATTENTION_KEY_VALUE_UP -> ATTENTION_KEY_VALUE_UP;
            case ATTENTION_OUTPUT -> ATTENTION_OUTPUT;
            case ATTENTION_INDEXER -> ATTENTION_INDEXER;
            case MIXER_INPUT -> MIXER_INPUT;
            case MIXER_OUTPUT -> MIXER_OUTPUT;
            case MLP -> MLP;
            case SHARED_EXPERTS -> SHARED_EXPERTS;
            case ROUTED_EXPERTS -> ROUTED_EXPERTS;
            case ROUTER -> ROUTER;
            default -> throw new IllegalArgumentException("not a matrix term: " + c);
        };
    }
}
