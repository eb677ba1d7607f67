package dev.strata.estimator.params;

/** The named terms of a parameter count; {@link #key()} is the stable name used in JSON and CSV. */
public enum ParamComponent {
    /** Token embedding, vocab x hidden. */
    EMBEDDING("embedding"),
    /** Learned position table, contextLength x hidden. */
    POSITION_EMBEDDING("positionEmbedding"),
    /** Query projection (q_proj, or MLA's q_proj when it has no query compression), with bias. */
    ATTENTION_QUERY("attentionQuery"),
    /** Key projection (k_proj), with bias. */
    ATTENTION_KEY("attentionKey"),
    /** Value projection (v_proj), with bias. */
    ATTENTION_VALUE("attentionValue"),
    /** MLA query down-projection q_a_proj. */
    ATTENTION_QUERY_DOWN("attentionQueryDown"),
    /** MLA query up-projection q_b_proj. */
    ATTENTION_QUERY_UP("attentionQueryUp"),
    /** MLA joint key/value down-projection kv_a_proj_with_mqa (latent plus rotary key). */
    ATTENTION_KEY_VALUE_DOWN("attentionKeyValueDown"),
    /** MLA key/value up-projection kv_b_proj. */
    ATTENTION_KEY_VALUE_UP("attentionKeyValueUp"),
    /** Output projection (o_proj / c_proj), with bias. */
    ATTENTION_OUTPUT("attentionOutput"),
    /** Per-head query and key norms (Qwen3 q_norm, k_norm). */
    ATTENTION_QK_NORMS("attentionQkNorms"),
    /** DeepSeek sparse attention's lightning indexer: wq_b, wk, weights_proj and its key norm. */
    ATTENTION_INDEXER("attentionIndexer"),
    /** Learned attention sink logits, one per query head (gpt-oss). */
    ATTENTION_SINKS("attentionSinks"),
    /** MLA latent norms q_a_layernorm and kv_a_layernorm. */
    ATTENTION_LATENT_NORMS("attentionLatentNorms"),
    /** Input projections of linear-attention and state-space mixers (in_proj_qkvz and in_proj_ba; Mamba's in_proj). */
    MIXER_INPUT("mixerInput"),
    /** Output projections of linear-attention and state-space mixers (out_proj). */
    MIXER_OUTPUT("mixerOutput"),
    /** The mixers' other weights: convolution, step-size bias, decay (A_log), skip (D) and the gated norm. */
    MIXER_VECTORS("mixerVectors"),
    /** Hidden-size norms inside the layers (input_layernorm, post_attention_layernorm, ...). */
    LAYER_NORMS("layerNorms"),
    /** Dense or gated MLP of non-MoE layers, with biases. */
    MLP("mlp"),
    /** Shared experts of MoE layers, with their gate when they have one. */
    SHARED_EXPERTS("sharedExperts"),
    /** Routed experts of MoE layers. */
    ROUTED_EXPERTS("routedExperts"),
    /** Router (gate) weights and optional per-expert bias. */
    ROUTER("router"),
    /** Norm after the last layer. */
    FINAL_NORM("finalNorm"),
    /** Output head (lm_head), vocab x hidden; 0 when tied to the embedding. */
    OUTPUT_HEAD("outputHead");

    private final String key;

    ParamComponent(String key) {
        this.key = key;
    }

    /**
     * The camelCase name used in JSON keys and CSV rows.
     *
     * @return the key ({@code attentionQuery}, ...)
     */
    public String key() {
        return key;
    }
}
