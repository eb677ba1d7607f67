package dev.strata.model;

/**
 * The weight matrices of a transformer layer by role: what LoRA targets, and how tensor parallelism splits them
 * (Megatron-LM, Shoeybi et al. 2019, arXiv:1909.08053 §3: column-parallel matrices split their output, row-parallel
 * ones their input).
 */
public enum Projection {
    /** q_proj (hidden -> heads x headDim); MLA's q_proj when it has no query compression. Column-parallel. */
    QUERY("q", Split.OUTPUT),
    /** k_proj (hidden -> kvHeads x headDim). Column-parallel. */
    KEY("k", Split.OUTPUT),
    /** v_proj (hidden -> kvHeads x headDim). Column-parallel. */
    VALUE("v", Split.OUTPUT),
    /** o_proj (heads x headDim -> hidden). Row-parallel. */
    OUTPUT("o", Split.INPUT),
    /** MLA q_a_proj (hidden -> qLoraRank). Replicated. */
    QUERY_DOWN("q_a", Split.NONE),
    /** MLA q_b_proj (qLoraRank -> heads x (nope + rope)). Column-parallel. */
    QUERY_UP("q_b", Split.OUTPUT),
    /** MLA kv_a_proj_with_mqa (hidden -> kvLoraRank + rope). Replicated. */
    KEY_VALUE_DOWN("kv_a", Split.NONE),
    /** MLA kv_b_proj (kvLoraRank -> heads x (nope + v)). Column-parallel. */
    KEY_VALUE_UP("kv_b", Split.OUTPUT),
    /** gate_proj of a gated MLP (hidden -> intermediate). Column-parallel. */
    MLP_GATE("gate", Split.OUTPUT),
    /** up_proj / c_fc (hidden -> intermediate). Column-parallel. */
    MLP_UP("up", Split.OUTPUT),
    /** down_proj / c_proj (intermediate -> hidden). Row-parallel. */
    MLP_DOWN("down", Split.INPUT),
    /** in_proj of a linear-attention or state-space mixer (hidden -> its heads' inputs). Column-parallel. */
    MIXER_IN("in", Split.OUTPUT),
    /** out_proj of a linear-attention or state-space mixer (its heads' outputs -> hidden). Row-parallel. */
    MIXER_OUT("out", Split.INPUT),
    /** The lightning indexer's projections (wq_b, wk, weights_proj) of DeepSeek sparse attention. Replicated. */
    INDEXER("indexer", Split.NONE),
    /** MoE router (hidden -> routed experts). Replicated. */
    ROUTER("router", Split.NONE);

    /** How tensor parallelism splits a matrix. */
    public enum Split {
        /** Column-parallel: the output features are split across tensor-parallel ranks. */
        OUTPUT,
        /** Row-parallel: the input features are split. */
        INPUT,
        /** Every rank holds the whole matrix. */
        NONE
    }

    private final String id;
    private final Split split;

    Projection(String id, Split split) {
        this.id = id;
        this.split = split;
    }

    /**
     * Short id used by {@code --lora-targets} (Hugging Face module name without {@code _proj}).
     *
     * @return the short id ({@code q}, {@code gate}, ...)
     */
    public String id() {
        return id;
    }

    /**
     * How tensor parallelism splits this matrix.
     *
     * @return by columns (output features) or by rows (input features), or not at all
     */
    public Split split() {
        return split;
    }

    /**
     * The projection with this short id, or null.
     *
     * @param id a short id
     * @return the projection, or null when none has it
     */
    public static Projection byId(String id) {
        for (Projection p : values()) if (p.id.equals(id)) return p;
        return null;
    }
}
