package dev.strata.model;

import java.util.Locale;

/**
 * The optimizer of a training run: how many state tensors it keeps per trainable parameter and, by default, in
 * which format ({@link Precision#optimizerStates()} may override the format).
 */
public enum Optimizer {
    /**
     * Adam/AdamW (Kingma and Ba 2015; Loshchilov and Hutter 2019): first and second moment, fp32. With an fp32 master
     * copy this is the K = 12 bytes per parameter of ZeRO (Rajbhandari et al. 2020, arXiv:1910.02054 §3.1).
     */
    ADAMW("adamw", 2, NumericFormat.FP32),
    /**
     * 8-bit Adam (Dettmers et al. 2022, arXiv:2110.02861 §2): both moments block-wise quantised to 8 bits with an fp32
     * absmax per 2048 values.
     */
    ADAM_8BIT("adam8bit", 2, NumericFormat.INT8_BLOCK_2048),
    /** SGD with momentum: one momentum buffer, fp32. */
    SGD("sgd", 1, NumericFormat.FP32);

    private final String id;
    private final int statesPerParameter;
    private final NumericFormat stateFormat;

    Optimizer(String id, int statesPerParameter, NumericFormat stateFormat) {
        this.id = id;
        this.statesPerParameter = statesPerParameter;
        this.stateFormat = stateFormat;
    }

    /**
     * The command-line id.
     *
     * @return {@code adamw}, {@code adam8bit} or {@code sgd}
     */
    public String id() {
        return id;
    }

    /**
     * State tensors per trainable parameter (2 for Adam's moments, 1 for momentum).
     *
     * @return the number of state tensors
     */
    public int statesPerParameter() {
        return statesPerParameter;
    }

    /**
     * The format this optimizer keeps its states in.
     *
     * @return fp32 for AdamW and SGD; 8-bit blocks with an fp32 scale per 2048 values for 8-bit Adam
     */
    public NumericFormat defaultStateFormat() {
        return stateFormat;
    }

    /**
     * Parses {@code adamw|adam8bit|sgd} ({@code adam} is accepted for adamw: same memory).
     *
     * @param field the option or field the text came from, named in the error
     * @param text the optimizer's id
     * @return the optimizer
     */
    public static Optimizer parse(String field, String text) {
        String t = text == null ? "" : text.trim().toLowerCase(Locale.ROOT);
        for (Optimizer o : values()) if (o.id.equals(t)) return o;
        if (t.equals("adam")) return ADAMW;
        throw new InvalidFieldException(field, text, "one of adamw, adam8bit, sgd");
    }
}
